/// `show stats json` (ours, not 0.9.4's): per path the checker's latency and failures, per map 0.9.4's
/// counters and the failover and reinstate latencies. Latencies are in microseconds; each histogram
/// counts samples in the log2 millisecond buckets `bucket_upper_ms` lists (the last one is open).
/// docs/stats.md says what each figure measures.
extension ShowFormat {
    public static func statsJSON(paths: [PathSnapshot], maps: [MapSnapshot]) -> String {
        let bounds = (0..<LatencyHistogram.bucketCount).compactMap(LatencyHistogram.upperBoundMilliseconds)
        var out = "{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n"
        out += "   \"bucket_upper_ms\": [" + bounds.map(String.init).joined(separator: ", ") + "],\n"
        // Orphans are never checked: they have nothing to show.
        out +=
            "   \"paths\": ["
            + paths.filter { $0.checkerState != nil }.map { p in
                "\n      {\n"
                    + fields(
                        "         ",
                        [
                            ("dev", quoted(p.identity.name)), ("dev_t", quoted("\(p.identity.devT)")),
                            ("multipath", quoted(p.mapName ?? "")),
                            ("failures", "\(p.failures)"), ("check_latency", histogram(p.checkLatency))
                        ]) + "      }"
            }.joined(separator: ",") + "],\n"
        out +=
            "   \"maps\": ["
            + maps.map { m in
                "\n      {\n"
                    + fields(
                        "         ",
                        [
                            ("name", quoted(m.name)), ("uuid", quoted(m.wwid)), ("path_faults", "\(m.stats.pathFaults)"),
                            ("switch_grp", "\(m.stats.switchGroups)"), ("map_loads", "\(m.stats.mapLoads)"),
                            ("total_q_time", "\(m.stats.totalQueueingTime)"), ("q_timeouts", "\(m.stats.queueingTimeouts)"),
                            ("map_failures", "\(m.stats.mapFailures)"), ("failover", histogram(m.stats.failover)),
                            ("reinstate", histogram(m.stats.reinstate))
                        ]) + "      }"
            }.joined(separator: ",") + "]\n}\n"
        return out
    }

    private static func quoted(_ s: String) -> String { "\"" + jsonEscaped(s) + "\"" }

    private static func fields(_ pad: String, _ fields: [(String, String)]) -> String {
        fields.map { pad + "\"\($0.0)\" : " + $0.1 }.joined(separator: ",\n") + "\n"
    }

    private static func histogram(_ h: LatencyHistogram) -> String {
        func us(_ d: Duration?) -> String { d.map { "\($0.nanosecondsClamped / 1000)" } ?? "null" }
        return "{ \"count\" : \(h.count), \"sum_us\" : \(us(h.sum)), \"min_us\" : \(us(h.min)), \"max_us\" : \(us(h.max)), "
            + "\"last_us\" : \(us(h.last)), \"buckets\" : [" + h.buckets.map(String.init).joined(separator: ", ") + "] }"
    }
}

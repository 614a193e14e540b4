import Foundation
import MultipathRegex
import Testing

@testable import MultipathCore

/// Compares our resolved configuration with what Debian's multipath-tools 0.9.4 prints (`multipath -t`)
/// for the same files. `multipath` reads only /etc, so it runs in a private mount namespace over a
/// temporary /etc holding the test's files.
@Suite struct ConfigComparisonTests {
    /// Keywords where we differ on purpose; docs/config-differences.md says why.
    static let documentedDifferences: Set<String> = [
        "defaults/max_polling_interval", "defaults/force_sync", "defaults/retrigger_tries", "defaults/disable_changed_wwids",
        "defaults/failed_path_reprobe_ms"
    ]

    static let multipathBinary = ["/usr/sbin/multipath", "/sbin/multipath"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var main: String?
        var confD: [(String, String)] = []
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no configuration", main: nil),
        Case(
            name: "defaults only",
            main: """
                defaults {
                    polling_interval 10
                    max_polling_interval 40
                    user_friendly_names yes
                    find_multipaths smart
                    no_path_retry 12
                    failback 30
                    path_grouping_policy group_by_prio
                    fast_io_fail_tmo off
                    dev_loss_tmo 600
                    rr_weight priorities
                    prio_args "exclusive_pref_bit"
                    delay_watch_checks 3
                    ghost_delay 0
                }
                """),
        Case(
            name: "user devices override built-ins",
            main: """
                devices {
                    device {
                        vendor "3PARdata"
                        product "VV"
                        failback manual
                        no_path_retry queue
                    }
                    device {
                        vendor "NETAPP"
                        product "LUN"
                        path_checker directio
                    }
                    device {
                        vendor "ACME"
                        product "Disk.*"
                        revision "1\\.[0-9]"
                        product_blacklist "Ctrl"
                        path_grouping_policy multibus
                        dev_loss_tmo infinity
                    }
                    device {
                        vendor "ACME"
                        product "Disk.*"
                        revision "1\\.[0-9]"
                        rr_min_io_rq 5
                    }
                }
                """),
        Case(
            name: "overrides and multipaths",
            main: """
                overrides {
                    no_path_retry 5
                    detect_prio no
                    protocol {
                        type "scsi:fcp"
                        dev_loss_tmo 60
                        eh_deadline 30
                    }
                }
                blacklist {
                    devnode "^hd[a-z]"
                    wwid "3600508b1001c5c0f"
                    device {
                        vendor "ACME"
                        product "Ctrl"
                    }
                }
                blacklist_exceptions {
                    property "ID_SERIAL"
                    wwid "!^36"
                }
                multipaths {
                    multipath {
                        wwid 360000000000000000e00000000010001
                        alias data
                        no_path_retry fail
                    }
                }
                """),
        Case(
            name: "transport timeouts and max_sectors_kb",
            main: """
                defaults {
                    fast_io_fail_tmo 0
                    dev_loss_tmo 0
                    eh_deadline off
                    max_sectors_kb 256
                }
                devices {
                    device {
                        vendor "ACME"
                        product "Box"
                        fast_io_fail_tmo off
                        dev_loss_tmo 4294967295
                        eh_deadline 0
                        max_sectors_kb 0
                    }
                }
                overrides {
                    max_sectors_kb 128
                    dev_loss_tmo 0
                    protocol {
                        type "scsi:iscsi"
                        fast_io_fail_tmo 3
                        dev_loss_tmo 90
                        eh_deadline 20
                    }
                }
                multipaths {
                    multipath {
                        wwid 36001
                        max_sectors_kb 64
                    }
                }
                """),
        Case(
            name: "conf.d",
            main: """
                defaults {
                    polling_interval 7
                }
                """,
            confD: [
                (
                    "b.conf",
                    """
                    defaults {
                        polling_interval 9
                    }
                    devices {
                        device {
                            vendor "DGC"
                            product ".*"
                            no_path_retry 7
                        }
                    }
                    """
                ),
                (
                    "a.conf",
                    """
                    devices {
                        device {
                            vendor "DGC"
                            product ".*"
                            no_path_retry 3
                            failback 10
                        }
                    }
                    """
                )
            ])
    ]

    @Test(arguments: cases)
    func agreesWithMultipathTools(_ c: Case) throws {
        guard let binary = Self.multipathBinary else {
            print("skipped: multipath-tools is not installed (apt-get install multipath-tools)")
            return
        }
        let reference = try Self.runMultipath(binary, c)
        let files = ConfigLoader.confDFiles(c.confD.map(\.0))
        let (config, _) = ConfigLoader.load(
            main: c.main.map { ("/etc/multipath.conf", $0) },
            confD: files.map { name in ("/etc/multipath/conf.d/" + name, c.confD.first { $0.0 == name }!.1) }, regex: .glibc)
        let ours = Self.flatten(renderConfig(config, onlyDifferences: false))
        let theirs = Self.flatten(reference)
        // Guard against comparing two empty outputs: the built-in table alone gives several hundred lines.
        #expect(theirs.count > 700 && theirs.contains("devices/device#1/vendor NVM[eE]"))
        let onlyOurs = ours.subtracting(theirs).filter { !Self.documentedDifferences.contains(Self.keyPath($0)) }
        let onlyTheirs = theirs.subtracting(ours).filter { !Self.documentedDifferences.contains(Self.keyPath($0)) }
        #expect(onlyOurs.isEmpty, "only in ours: \(onlyOurs.sorted())")
        #expect(onlyTheirs.isEmpty, "only in multipath -t: \(onlyTheirs.sorted())")
        #expect(config.hardware.count == theirs.filter { $0.hasPrefix("devices/device#") && $0.contains("/vendor ") }.count)
    }

    /// `section/subsection#n/keyword value` lines, so that order inside a section does not matter but
    /// which entry a value belongs to does.
    static func flatten(_ text: String) -> Set<String> {
        var out: Set<String> = []
        var stack: [String] = []
        var counts: [String: Int] = [:]
        for line in ConfigLexer.lines(text) {
            let t = line.tokens
            if t[0].kind == .close {
                stack.removeLast()
                continue
            }
            if t.count > 1, t[1].kind == .open {
                let path = (stack + [t[0].text]).joined(separator: "/")
                counts[path, default: 0] += 1
                stack.append(stack.isEmpty ? t[0].text : "\(t[0].text)#\(counts[path]!)")
                continue
            }
            out.insert((stack + [t[0].text]).joined(separator: "/") + " " + (t.count > 1 ? t[1].text : ""))
        }
        return out
    }

    static func keyPath(_ flat: String) -> String {
        let key = flat.prefix { $0 != " " }
        return key.split(separator: "/").map { $0.split(separator: "#")[0] }.joined(separator: "/")
    }

    static func runMultipath(_ binary: String, _ c: Case) throws -> String {
        let etc = FileManager.default.temporaryDirectory.appendingPathComponent("mpcfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: etc) }
        let confD = etc.appendingPathComponent("multipath/conf.d")
        try FileManager.default.createDirectory(at: confD, withIntermediateDirectories: true)
        if let main = c.main { try main.write(to: etc.appendingPathComponent("multipath.conf"), atomically: true, encoding: .utf8) }
        for (name, text) in c.confD { try text.write(to: confD.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        // As root a mount namespace is enough; otherwise map ourselves to root in a user namespace.
        p.arguments = (getuid() == 0 ? ["-m"] : ["-r", "-m"]) + ["sh", "-c", "mount --bind '\(etc.path)' /etc && exec \(binary) -t"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "multipath -t failed under unshare")
        return String(decoding: data, as: UTF8.self)
    }
}

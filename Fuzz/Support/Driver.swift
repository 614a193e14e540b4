import CFuzzer
import Glibc

/// The target `runFuzzer` drives: libFuzzer's callback is a C function pointer, which captures nothing.
nonisolated(unsafe) private var currentTarget: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer's driver over `target`, each input as bytes: what each target's `<module>_main` returns.
/// SwiftPM links executables with `main` defined as `<module>_main`, so libFuzzer's own `main` never runs.
public func runFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ target: @escaping ([UInt8]) -> Void
) -> Int32 {
    currentTarget = target
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        currentTarget(bytes(data, size))
        return 0
    }
}

/// The input's bytes.
func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// The bytes as a file or socket would hand them to the daemon: invalid UTF-8 repaired, as the daemon's
/// readers do.
public func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

/// The bytes before the first NUL, and those after it (nil without a NUL): two inputs in one.
public func splitAtNUL(_ bytes: [UInt8]) -> (first: ArraySlice<UInt8>, rest: ArraySlice<UInt8>?) {
    guard let nul = bytes.firstIndex(of: 0) else { return (bytes[...], nil) }
    return (bytes[..<nul], bytes[(nul + 1)...])
}

/// A finding that is no crash by itself (too slow, a round trip that differs): abort, so that libFuzzer
/// writes the input as a crash artifact. A plain String (no autoclosure): see SWIFT-NOTES, Swift 6.3.1
/// crashed compiling an autoclosure passed to a `Never` function in the callback.
public func fail(_ message: String) -> Never {
    var line = "fuzz: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    abort()
}

/// `body`'s result; fails when it took longer than `limit` of this thread's CPU time (slowness is invisible
/// to coverage guidance). CPU time, not wall time: a long run shares the machine, and a loaded one made a
/// 0.5 s compile look like 2.4 s.
public func bounded<T>(_ limit: Duration, _ what: StaticString, _ body: () -> T) -> T {
    let start = threadCPUTime()
    let result = body()
    let elapsed = threadCPUTime() - start
    if elapsed > limit { fail("\(what) took \(elapsed) of CPU time, more than \(limit)") }
    return result
}

private func threadCPUTime() -> Duration {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
}

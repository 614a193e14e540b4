import FuzzSupport
import MultipathCore
import MultipathRegex

/// Blacklist and device expressions: whatever the pattern, glibc's engine behind `RegexLimits` either
/// refuses it or compiles and matches it against device names, WWIDs, vendors and products within a bound.
/// Input: the pattern, then after a NUL (if any) one more subject (at most 128 bytes, a long WWID).
@_cdecl("FuzzRegex_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, compileAndMatch)
}

/// Far above what any accepted pattern takes (natively, in the C locale, glibc compiles the largest in
/// about 75 ms; under ASan, which intercepts its every malloc, about 0.5 s of CPU), far below the minutes
/// of an exponential compile or match.
let limit = Duration.seconds(2)

func compileAndMatch(_ input: [UInt8]) {
    let (pattern, subject) = splitAtNUL(input)
    let compiled = bounded(limit, "compiling") { RegexEngine.glibc.compile(text(pattern)) }
    guard case .success(let regex) = compiled else { return }
    for s in FuzzModel.regexSubjects + (subject.map { [text($0.prefix(128))] } ?? []) {
        _ = bounded(limit, "matching") { regex.matches(s) }
    }
}

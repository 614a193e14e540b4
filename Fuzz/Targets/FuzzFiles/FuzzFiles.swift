import FuzzSupport
import MultipathCore
import MultipathRegex

/// The daemon's state files: bindings, wwids and prkeys. What is read must render to text that reads back
/// the same; a key set in a prkeys file that ends its last line reads back, and reads as unset once unset
/// (after a last line without its newline, 0.9.4 too appends a key that no lookup finds).
/// The first byte selects the file; for prkeys the file's text is followed, after a NUL, by a WWID.
@_cdecl("FuzzFiles_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, readFiles)
}

func readFiles(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let rest = Array(input.dropFirst())
    switch mode % 3 {
    case 0: bindings(text(rest))
    case 1: wwids(text(rest))
    default: prkeys(rest)
    }
}

/// Loaded and resolved once: that costs milliseconds (the built-in hardware table), a name from the bindings
/// microseconds.
let config = ConfigLoader.load(main: (ConfigLoader.mainFile, "defaults {\nuser_friendly_names yes\n}\n"), confD: [], regex: .glibc).0
let friendlyNames = FuzzModel.identities.map { path in
    (path.wwid ?? path.name, config.mapSettings(wwid: path.wwid ?? path.name, paths: [path]))
}

func bindings(_ file: String) {
    var (b, _) = Bindings.parse(file)
    if Bindings.parse(b.render()).0 != b { fail("bindings read back differently") }
    // A friendly name for each model path, as a map's creation allocates it.
    for (wwid, settings) in friendlyNames {
        _ = config.mapName(wwid: wwid, settings: settings, bindings: &b)
    }
}

func wwids(_ file: String) {
    let w = WWIDsFile.parse(file)
    if WWIDsFile.parse(w.render()) != w { fail("wwids read back differently") }
    _ = FuzzModel.identities.map { w.contains($0.wwid ?? "") }
}

func prkeys(_ input: [UInt8]) {
    let (file, wwidBytes) = splitAtNUL(input)
    var f = PRKeysFile(text(file))
    let endsItsLines = file.isEmpty || file.last == UInt8(ascii: "\n")
    // A WWID as the daemon has one: no blanks, no line breaks.
    let wwid = text(wwidBytes ?? []).filter { !$0.isWhitespace }
    guard !wwid.isEmpty else { return }
    _ = f.key(for: wwid)
    let key = PRKey(value: 0x1234_5678_9abc_def0, aptpl: true)
    f.set(key, for: wwid)
    if endsItsLines, f.key(for: wwid) != key { fail("the key set for \(wwid) reads back as \(String(describing: f.key(for: wwid)))") }
    f.set(nil, for: wwid)
    if let k = f.key(for: wwid) { fail("the key unset for \(wwid) reads back as \(k)") }
}

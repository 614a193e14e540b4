import FuzzSupport
import MultipathCore

/// The control socket: the framing decoder, the grammar, and `show ... format` strings over the fixed model.
/// The first byte selects the input: 0 the bytes a client writes (fed to the decoder in pieces of 1 to
/// 16 bytes, the second byte says how long), 1 one request's text, 2 a format string.
@_cdecl("FuzzControl_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, control)
}

func control(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let rest = input.dropFirst()
    switch mode % 3 {
    case 0: stream(rest)
    case 1: answer(text(rest))
    default: format(text(rest))
    }
}

func stream(_ input: ArraySlice<UInt8>) {
    guard let first = input.first else { return }
    let piece = Int(first % 16) + 1
    var decoder = ControlRequestDecoder()
    var bytes = input.dropFirst()
    while !bytes.isEmpty {
        for event in decoder.feed(bytes.prefix(piece)) {
            guard case .request(let request) = event else { return }
            answer(request)
        }
        bytes = bytes.dropFirst(piece)
    }
}

/// What the daemon answers without its model: the help or `fail` for what does not parse, the
/// permission check, and the show formats the command names.
func answer(_ request: String) {
    switch ControlGrammar.parse(request) {
    case .failure(let error):
        _ = ControlGrammar.reply(toUnparsable: request, error: error, version: "multipathd v0.9.4")
    case .success(let command):
        _ = command.isPermitted(for: PeerCredentials(pid: 1, uid: 1000, gid: 1000))
        switch command {
        case .showPaths(let f, let raw): _ = ShowFormat.paths(FuzzModel.paths, format: f ?? ShowFormat.defaultPaths, raw: raw)
        case .showMapsFormat(let f, let raw): _ = ShowFormat.maps(FuzzModel.maps, format: f, raw: raw)
        case .showMapFormat(_, let f): _ = ShowFormat.map(FuzzModel.maps[0], among: FuzzModel.maps, format: f)
        default: break
        }
    }
}

func format(_ f: String) {
    _ = ShowFormat.paths(FuzzModel.paths, format: f)
    _ = ShowFormat.paths(FuzzModel.paths, format: f, raw: true)
    _ = ShowFormat.maps(FuzzModel.maps, format: f)
    _ = ShowFormat.maps(FuzzModel.maps, format: f, raw: true)
    _ = ShowFormat.map(FuzzModel.maps[1], among: FuzzModel.maps, format: f)
}

import FuzzSupport
import MultipathCore

/// The control socket: the framing decoder, the grammar, and `show ... format` strings over the fixed model.
/// The first byte selects the input (its value modulo 3): 0 the bytes a client writes (fed to the decoder in
/// pieces of 1 to 16 bytes, the second byte says how long), 1 one request's text, 2 a format string (the first
/// byte divided by 3 then picks its render).
@_cdecl("FuzzControl_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, control)
}

func control(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let rest = input.dropFirst()
    switch mode % 3 {
    case 0: stream(rest)
    case 1: if fitsOneRequest(rest) { answer(text(rest)) }
    default: if fitsOneRequest(rest) { format(text(rest), render: mode / 3) }
    }
}

/// The framing refuses a longer request before anything reads it (the stream fuzzes that): the grammar and
/// the formats only ever see this much.
func fitsOneRequest(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.count <= ControlFraming.maxRequestLength }

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

/// One of the five renders, chosen by the input: each reaches its own code (paths or maps, padded or raw, one
/// map among all), and the format is parsed once per input instead of once per render.
func format(_ f: String, render: UInt8) {
    switch render % 5 {
    case 0: _ = ShowFormat.paths(FuzzModel.paths, format: f)
    case 1: _ = ShowFormat.paths(FuzzModel.paths, format: f, raw: true)
    case 2: _ = ShowFormat.maps(FuzzModel.maps, format: f)
    case 3: _ = ShowFormat.maps(FuzzModel.maps, format: f, raw: true)
    default: _ = ShowFormat.map(FuzzModel.maps[1], among: FuzzModel.maps, format: f)
    }
}

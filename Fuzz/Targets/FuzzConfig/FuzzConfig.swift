import FuzzSupport
import MultipathCore
import MultipathRegex

/// multipath.conf: the lexer, parser and loader (expressions compiled by glibc, as the daemon does), then
/// what the daemon asks of a configuration for each path of the model: its settings, checker and
/// prioritizer, blacklist verdict, map settings and name, and `multipathd -t`'s rendering.
/// Input: the main file, then after a NUL (if any) one conf.d file.
@_cdecl("FuzzConfig_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, loadAndResolve)
}

func loadAndResolve(_ input: [UInt8]) {
    let (main, confD) = splitAtNUL(input)
    let (config, _) = ConfigLoader.load(
        main: (ConfigLoader.mainFile, text(main)),
        confD: confD.map { [(ConfigLoader.confDDirectory + "/fuzz.conf", text($0))] } ?? [], regex: .glibc)
    var bindings = Bindings()
    for path in FuzzModel.identities {
        let settings = config.pathSettings(for: path)
        _ = PathChoice.select(path, settings, hasAccessState: true, checkerTimeout: .seconds(config.checkerTimeout ?? 30))
        _ = config.blacklistVerdict(for: path, udevProperties: FuzzModel.udevProperties, uidAttribute: settings.uidAttribute.value)
        let wwid = path.wwid ?? path.name
        _ = config.mapName(wwid: wwid, settings: config.mapSettings(wwid: wwid, paths: [path]), bindings: &bindings)
    }
    _ = renderConfig(config, onlyDifferences: true)
}

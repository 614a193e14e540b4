import FuzzSupport
import MultipathCore
import MultipathRegex

/// multipath.conf: the lexer, parser and loader (expressions compiled by glibc, as the daemon does), then
/// what the daemon asks of a configuration for each kind of path of the model: its settings, checker and
/// prioritizer, blacklist verdicts, map settings and name, and `multipathd -t`'s rendering.
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
    // Settings read the hardware, transport and WWID, which the four scsi_debug paths share: resolved once for
    // each kind of path. The blacklist reads the device name too, so each path of a kind is judged.
    for path in FuzzModel.pathKinds {
        let settings = config.pathSettings(for: path)
        _ = PathChoice.select(path, settings, hasAccessState: true, checkerTimeout: .seconds(config.checkerTimeout ?? 30))
        for named in FuzzModel.identities where named.wwid == path.wwid {
            _ = config.blacklistVerdict(for: named, udevProperties: FuzzModel.udevProperties, uidAttribute: settings.uidAttribute.value)
        }
        let wwid = path.wwid ?? path.name
        // The path's matches, as the map's settings would find them again from its first path.
        let mapSettings = config.mapSettings(wwid: wwid, hardwareMatches: settings.hardwareMatches)
        _ = config.mapName(wwid: wwid, settings: mapSettings, bindings: &bindings)
        // A WWID already bound keeps its name: the map of the first kind asks a second time.
        if path.wwid == FuzzModel.scsiDebugWWID { _ = config.mapName(wwid: wwid, settings: mapSettings, bindings: &bindings) }
    }
    _ = renderConfig(config, onlyDifferences: true)
}

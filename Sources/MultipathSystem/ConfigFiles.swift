import Glibc
import MultipathCore
import MultipathRegex

/// Reads multipath.conf and conf.d at start and on reconfigure (never on the critical path).
public enum ConfigFiles {
    /// The main file (nil when absent, as 0.9.4 allows) and the conf.d files in the order they merge.
    public static func read(main: String = ConfigLoader.mainFile, confDirectory: String = ConfigLoader.confDDirectory)
        -> (main: (path: String, text: String)?, confD: [(path: String, text: String)])
    {
        func text(_ path: String) -> (path: String, text: String)? { TextFiles.read(path).map { (path, $0) } }
        let names = ConfigLoader.confDFiles(TextFiles.list(confDirectory))
        return (text(main), names.compactMap { text(confDirectory + "/" + $0) })
    }

    /// Loads the configuration the daemon would use, with the diagnostics to report.
    public static func load(main: String = ConfigLoader.mainFile, confDirectory: String = ConfigLoader.confDDirectory)
        -> (Config, [ConfigDiagnostic])
    {
        let files = read(main: main, confDirectory: confDirectory)
        return ConfigLoader.load(main: files.main, confD: files.confD, regex: .glibc)
    }
}

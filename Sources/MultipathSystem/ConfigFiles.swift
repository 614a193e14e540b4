import Glibc
import MultipathCore

/// Reads multipath.conf and conf.d at start and on reconfigure (never on the critical path).
public enum ConfigFiles {
    /// A configuration file larger than this is not one (0.9.4 reads line by line without a limit).
    public static let sizeLimit = 16 << 20

    /// The main file (nil when absent, as 0.9.4 allows) and the conf.d files in the order they merge.
    public static func read(main: String = ConfigLoader.mainFile, confDirectory: String = ConfigLoader.confDDirectory)
        -> (main: (path: String, text: String)?, confD: [(path: String, text: String)]) {
        func text(_ path: String) -> (path: String, text: String)? {
            FileDescriptor.readFile(path, limit: sizeLimit).map { (path, String(decoding: $0, as: UTF8.self)) }
        }
        let names = ConfigLoader.confDFiles(directoryEntries(confDirectory))
        return (text(main), names.compactMap { text(confDirectory + "/" + $0) })
    }

    /// The names in a directory; none when it is absent or unreadable.
    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Loads the configuration the daemon would use, with the diagnostics to report.
    public static func load(main: String = ConfigLoader.mainFile, confDirectory: String = ConfigLoader.confDDirectory)
        -> (Config, [ConfigDiagnostic]) {
        let files = read(main: main, confDirectory: confDirectory)
        return ConfigLoader.load(main: files.main, confD: files.confD)
    }
}

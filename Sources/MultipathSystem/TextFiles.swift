import Glibc
import MultipathCore

/// Whole-file reads and writes for the configuration, bindings and wwids files. Used at start, on
/// reconfigure and when a map is created, never on the path-checking path.
public enum TextFiles {
    /// A configuration, bindings or wwids file larger than this is not one.
    public static let sizeLimit = 16 << 20

    /// The file's text; nil when it does not exist or cannot be read.
    public static func read(_ path: String) -> String? {
        FileDescriptor.readFile(path, limit: sizeLimit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Names in a directory, without `.` and `..`; empty when it cannot be read.
    public static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Replaces the file by writing a temporary file next to it and renaming it over.
    public static func write(_ path: String, _ text: String) throws(SystemError) {
        let temporary = path + ".tmp"
        let fd = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        do throws(SystemError) { try writeAll(fd, text, temporary) } catch {
            fd.close()
            throw error
        }
        fd.close()
        guard rename(temporary, path) == 0 else { throw SystemError("rename \(temporary) \(path)", .current) }
    }

    /// Appends `text`; a new or empty file gets `header` first, as 0.9.4 starts its wwids file.
    public static func append(_ path: String, _ text: String, header: String) throws(SystemError) {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o644)
        defer { fd.close() }
        let end = lseek(fd.rawValue, 0, SEEK_END)
        guard end >= 0 else { throw SystemError("lseek \(path)", .current) }
        try writeAll(fd, end == 0 ? header + text : text, path)
    }

    private static func writeAll(_ fd: FileDescriptor, _ text: String, _ path: String) throws(SystemError) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let r = bytes.withUnsafeBytes { fd.write($0) }
            switch r {
            case .success(let n): bytes = bytes.dropFirst(n)
            case .failure(let e): throw SystemError("write \(path)", e)
            }
        }
    }
}

import Glibc
import MultipathCore
import MultipathSystem
import Testing

@Suite struct ConfigFilesTests {
    private func write(_ path: String, _ text: String) {
        let f = fopen(path, "w")!
        fputs(text, f)
        fclose(f)
    }

    @Test func readsMainThenConfDInByteOrderSkippingOtherNames() throws {
        var template = Array("/tmp/configfiles-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        mkdir(dir + "/conf.d", 0o755)
        write(dir + "/multipath.conf", "defaults {\n\tpolling_interval 7\n}\n")
        write(dir + "/conf.d/b.conf", "defaults {\n\tno_path_retry 3\n}\n")
        write(dir + "/conf.d/A.conf", "defaults {\n\tpolling_interval 9\n}\n")
        write(dir + "/conf.d/notes.txt", "garbage {\n")
        let files = ConfigFiles.read(main: dir + "/multipath.conf", confDirectory: dir + "/conf.d")
        #expect(files.main?.text.contains("polling_interval 7") == true)
        #expect(files.confD.map(\.path) == [dir + "/conf.d/A.conf", dir + "/conf.d/b.conf"])

        let (config, diagnostics) = ConfigFiles.load(main: dir + "/multipath.conf", confDirectory: dir + "/conf.d")
        #expect(diagnostics.isEmpty)
        #expect(config.pollingInterval == 9)  // conf.d comes after the main file
    }

    /// The wwids file as 0.9.4 starts it: the header once, when the file is new or empty, then one line per WWID.
    @Test func appendWritesTheHeaderToANewOrEmptyFileOnly() throws {
        var template = Array("/tmp/textfiles-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        let header = "# Multipath wwids, Version : 1.0\n# Valid WWIDs:\n"
        try TextFiles.append(dir + "/wwids", "/3600a/\n", header: header)
        try TextFiles.append(dir + "/wwids", "/3600b/\n", header: header)
        #expect(TextFiles.read(dir + "/wwids") == header + "/3600a/\n/3600b/\n")
        write(dir + "/empty", "")
        try TextFiles.append(dir + "/empty", "/3600c/\n", header: header)
        #expect(TextFiles.read(dir + "/empty") == header + "/3600c/\n")
    }

    @Test func absentFilesGiveTheBuiltInConfiguration() {
        let files = ConfigFiles.read(main: "/nonexistent/multipath.conf", confDirectory: "/nonexistent/conf.d")
        #expect(files.main == nil)
        #expect(files.confD.isEmpty)
        #expect(ConfigFiles.load(main: "/nonexistent/m", confDirectory: "/nonexistent/d").0.pollingInterval == 5)
    }
}

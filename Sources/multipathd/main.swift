import Glibc
import MultipathCore
import MultipathDaemon
import MultipathSystem

do {
    switch try Invocation.parse(CommandLine.arguments.dropFirst()) {
    case .help:
        print(Invocation.usage)
    case .printConfig(let onlyDifferences):
        let (config, diagnostics) = ConfigFiles.load()
        for d in diagnostics { SystemLog.writeToStandardError("multipathd: \(d)") }
        print(renderConfig(config, onlyDifferences: onlyDifferences), terminator: "")
    case .daemon(let options):
        exit(DaemonMain.run(options))
    case .client(let command, _):
        exit(ClientMain.run(command: command))
    }
} catch {
    SystemLog.writeToStandardError("multipathd: \(error)")
    exit(1)
}

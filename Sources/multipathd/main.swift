import Glibc
import MultipathCore
import MultipathDaemon
import MultipathSystem

do {
    switch try Invocation.parse(CommandLine.arguments.dropFirst()) {
    case .help:
        print(Invocation.usage)
    case .daemon(let options):
        exit(DaemonMain.run(options))
    case .client(let command, _):
        exit(ClientMain.run(command: command))
    }
} catch {
    SystemLog.writeToStandardError("multipathd: \(error)")
    exit(1)
}

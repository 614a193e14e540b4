import Glibc
import MultipathCore
import MultipathSystem

/// `multipathd COMMAND`, `multipathd -k"COMMAND"` and the interactive `multipathd -k`: send commands to
/// the running daemon and print its replies.
public enum ClientMain {
    /// A little over the daemon's `uxsock_timeout` default (4 s), so that its own `timeout` reply arrives first.
    public static let replyTimeoutMilliseconds = 5000

    /// Returns the exit status: 1 on `fail`, `timeout`, or when the daemon cannot be reached.
    public static func run(
        command: String?, address: ControlSocketAddress = .clientAddress(override: ControlSocketAddress.environmentOverride),
        timeoutMilliseconds: Int = replyTimeoutMilliseconds
    ) -> Int32 {
        let client: ControlClient
        do { client = try ControlClient(connectingTo: address) } catch {
            SystemLog.writeToStandardError("multipathd: cannot reach the daemon at \(address): \(error.errno) (is multipathd running?)")
            return 1
        }
        guard let command else { return interactive(client, timeoutMilliseconds: timeoutMilliseconds) }
        return send(command, client, timeoutMilliseconds: timeoutMilliseconds) ? 0 : 1
    }

    /// One request; prints the reply as sent. False on `fail`, `timeout` and errors.
    static func send(_ command: String, _ client: ControlClient, timeoutMilliseconds: Int) -> Bool {
        do {
            let reply = try client.request(command, timeoutMilliseconds: timeoutMilliseconds)
            print(reply, terminator: "")
            return reply != ControlReply.fail && reply != ControlReply.timeout
        } catch {
            SystemLog.writeToStandardError("multipathd: '\(command)': \(error)")
            return false
        }
    }

    /// Reads commands from stdin until `quit`, `exit` or end of input. No line editing.
    static func interactive(_ client: ControlClient, timeoutMilliseconds: Int) -> Int32 {
        let tty = isatty(0) != 0
        while true {
            if tty {
                print("multipathd> ", terminator: "")
                fflush(nil)
            }
            guard let line = readLine() else { return 0 }
            let command = line.trimmingWhitespace
            if command.isEmpty { continue }
            if command == "quit" || command == "exit" { return 0 }
            _ = send(command, client, timeoutMilliseconds: timeoutMilliseconds)
            fflush(nil)
        }
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

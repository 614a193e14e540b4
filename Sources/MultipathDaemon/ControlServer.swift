import Logging
import MultipathCore
import MultipathReactor
import MultipathSystem

/// What answers control commands: the daemon. The server has already parsed the request and checked
/// the peer's permission.
public protocol ControlHandler: AnyObject {
    /// Answers `command` by calling `reply` once, at once or later (after a reload, say). A reply that
    /// comes after the server's timeout has already answered `timeout` is dropped.
    func handle(_ command: ControlCommand, from peer: PeerCredentials, reply: @escaping (String) -> Void)
    /// The version line of the help text sent for requests that are not commands.
    var versionLine: String { get }
}

/// The control socket's server: every client is a small non-blocking state machine on the reactor
/// (read frames, answer one request at a time, write the reply as the socket takes it), so a slow or
/// stuck client never holds up another client, a check or a reinstate. A client the server waits on
/// gets `uxsock_timeout`: a request begun and not finished is answered `timeout` and the connection
/// closed (0.9.4 answers `timeout` too); a reply of which nothing is taken for that long closes it.
/// An idle connection between requests has no timeout (`multipathd -k` sits there).
public final class ControlServer {
    private final class Connection {
        let fd: FileDescriptor
        let peer: PeerCredentials
        var token: SourceToken?
        var decoder = ControlRequestDecoder()
        var queued: [String] = []
        var output: [UInt8] = []
        var written = 0
        /// The request being answered, by sequence number, and its timeout.
        var pending: UInt64?
        var deadline: TimerToken?
        /// Runs while the server waits on the client: the rest of a request, or room for its reply.
        var stall: TimerToken?
        /// Closed once the queued output is written (after a request that timed out half sent).
        var closing = false
        var pumping = false
        var closed = false
        var interest: Interest = .readable

        init(fd: FileDescriptor, peer: PeerCredentials) {
            self.fd = fd
            self.peer = peer
        }
    }

    /// Requests read ahead of the one being answered; past this the server stops reading that client.
    static let maxQueuedRequests = 8
    static let maxAcceptsPerTurn = 64
    static let maxReadsPerTurn = 16
    static var acceptRetry: SourceFailurePolicy { .retry(initial: .milliseconds(50), max: .seconds(1)) }

    private let reactor: Reactor
    private let logger: Logger
    private let listeners: [ControlListener]
    private unowned let handler: any ControlHandler
    private let timeout: Duration
    private let maxClients: Int
    private var listenerTokens: [SourceToken] = []
    private var connections: [Int32: Connection] = [:]
    private var nextSequence: UInt64 = 0
    private var buffer = [UInt8](repeating: 0, count: 4096)
    private let credentials: (FileDescriptor) throws(SystemError) -> PeerCredentials
    private let acceptNext: (ControlListener) throws(SystemError) -> FileDescriptor?

    /// `timeout` is `uxsock_timeout`: a request not answered by then gets `timeout\n`. `credentials`
    /// asks the kernel who connected (tests play other users); `accept` takes the next connection (tests
    /// play a process out of descriptors).
    public init(
        reactor: Reactor, logger: Logger, listeners: [ControlListener], handler: any ControlHandler,
        timeout: Duration = .milliseconds(4000), maxClients: Int = 1024,
        credentials: @escaping (FileDescriptor) throws(SystemError) -> PeerCredentials = ControlSocketIO.peerCredentials,
        accept: @escaping (ControlListener) throws(SystemError) -> FileDescriptor? = { listener throws(SystemError) in
            try listener.accept()
        }
    ) {
        self.reactor = reactor
        self.logger = logger
        self.listeners = listeners
        self.handler = handler
        self.timeout = timeout
        self.maxClients = maxClients
        self.credentials = credentials
        acceptNext = accept
    }

    public var clientCount: Int { connections.count }

    public func start() throws(SystemError) {
        for listener in listeners {
            // accept fails when the process is out of descriptors (EMFILE) and the listener stays readable:
            // back off until a client leaves, never give the socket up.
            listenerTokens.append(
                try reactor.register(
                    listener.fd, name: "control socket \(listener.address?.description ?? "(systemd)")",
                    onFailure: Self.acceptRetry
                ) {
                    [unowned self] _ in try accept(listener)
                })
        }
    }

    /// Stops listening and drops every client.
    public func stop() {
        for token in listenerTokens { reactor.deregister(token) }
        listenerTokens = []
        for connection in Array(connections.values) { close(connection) }
    }

    private func accept(_ listener: ControlListener) throws(SystemError) {
        // One line per turn, not one per refused connection: a flood must not flood the log too.
        var refused = 0
        defer {
            if refused > 0 { logger.warning("control: \(maxClients) clients connected already; refused \(refused) more") }
        }
        for _ in 0..<Self.maxAcceptsPerTurn {
            guard let fd = try acceptNext(listener) else { return }
            guard connections.count < maxClients else {
                refused += 1
                fd.close()
                continue
            }
            let peer: PeerCredentials
            do { peer = try credentials(fd) } catch {
                logger.warning("control: \(error); connection refused")
                fd.close()
                continue
            }
            let connection = Connection(fd: fd, peer: peer)
            do {
                connection.token = try reactor.register(fd, name: "control client pid \(peer.pid)") { [unowned self] ready in
                    self.ready(connection, ready)
                }
            } catch {
                fd.close()
                throw error
            }
            connections[fd.rawValue] = connection
            logger.debug("control: client pid \(peer.pid) uid \(peer.uid) connected")
        }
    }

    private func ready(_ c: Connection, _ ready: Readiness) {
        if ready.contains(.writable) {
            pump(c)
            if c.closed { return }
        }
        if ready.contains(.readable) || ready.contains(.hangup) || ready.contains(.error) { read(c) }
    }

    private func read(_ c: Connection) {
        reading: for _ in 0..<Self.maxReadsPerTurn {
            let result = buffer.withUnsafeMutableBytes { ControlSocketIO.receive(c.fd, into: $0) }
            switch result {
            case .success(0):
                logger.debug("control: client pid \(c.peer.pid) disconnected")
                return close(c)
            case .success(let n):
                for event in c.decoder.feed(buffer[..<n]) {
                    switch event {
                    case .request(let text): c.queued.append(text)
                    case .invalidLength(let length):
                        logger.warning(
                            "control: client pid \(c.peer.pid) sent a request of length \(length) (1 to \(ControlFraming.maxRequestLength) allowed); closing"
                        )
                        return close(c)
                    }
                }
                if n < buffer.count || c.queued.count >= Self.maxQueuedRequests { break reading }
            case .failure(.wouldBlock):
                break reading
            case .failure(let e):
                logger.debug("control: client pid \(c.peer.pid): recv: \(e)")
                return close(c)
            }
        }
        pump(c)
    }

    /// Writes what is waiting and answers queued requests one by one until the socket is full, a reply
    /// is outstanding, or nothing is left.
    private func pump(_ c: Connection) {
        guard !c.pumping, !c.closed else { return }
        c.pumping = true
        defer { c.pumping = false }
        while !c.closed {
            if c.written < c.output.count {
                let r = c.output.withUnsafeBytes { ControlSocketIO.send(c.fd, UnsafeRawBufferPointer(rebasing: $0[c.written...])) }
                switch r {
                case .success(let n):
                    c.written += n
                    disarmStall(c)
                case .failure(.wouldBlock):
                    armStall(c)
                    return setInterest(c, .writable)
                case .failure(let e):
                    logger.debug("control: client pid \(c.peer.pid): send: \(e)")
                    return close(c)
                }
                continue
            }
            c.output.removeAll(keepingCapacity: true)
            c.written = 0
            if c.closing { return close(c) }
            // While a reply is outstanding the client is not read: it waits for the reply anyway.
            if c.pending != nil { return setInterest(c, []) }
            guard !c.queued.isEmpty else {
                // Waiting on the client: its clock runs from the first byte of a request, not per byte.
                if c.decoder.pendingByteCount > 0 { armStall(c) } else { disarmStall(c) }
                return setInterest(c, .readable)
            }
            disarmStall(c)
            answer(c, c.queued.removeFirst())
        }
    }

    private func answer(_ c: Connection, _ request: String) {
        let command: ControlCommand
        switch ControlGrammar.parse(request) {
        case .success(let parsed): command = parsed
        case .failure(let error):
            logger.debug("control: '\(request)': not a command (\(error))")
            return queueReply(c, ControlGrammar.reply(toUnparsable: request, error: error, version: handler.versionLine))
        }
        guard command.isPermitted(for: c.peer) else {
            logger.notice("control: uid \(c.peer.uid) (pid \(c.peer.pid)) may not '\(request)'")
            return queueReply(c, ControlReply.permissionDenied)
        }
        logger.debug("control: client pid \(c.peer.pid): \(request)")
        nextSequence += 1
        let sequence = nextSequence
        c.pending = sequence
        c.deadline = reactor.schedule(earliest: reactor.now + timeout, name: "control reply timeout") { [weak self] in
            guard let self, c.pending == sequence else { return }
            logger.warning("control: '\(request)' not answered within \(timeout); replied timeout")
            c.pending = nil
            c.deadline = nil
            queueReply(c, ControlReply.timeout)
            pump(c)
        }
        // Weak: a handler may keep the reply past the server's life (a reload finishing after shutdown).
        handler.handle(command, from: c.peer) { [weak self] text in
            guard let self, c.pending == sequence, !c.closed else {
                self?.logger.debug("control: late reply to '\(request)' dropped")
                return
            }
            if let deadline = c.deadline { reactor.cancel(deadline) }
            c.pending = nil
            c.deadline = nil
            queueReply(c, text)
            pump(c)
        }
    }

    private func armStall(_ c: Connection) {
        guard c.stall == nil else { return }
        c.stall = reactor.schedule(earliest: reactor.now + timeout, name: "control client stalled") { [weak self] in
            c.stall = nil
            self?.stalled(c)
        }
    }

    private func disarmStall(_ c: Connection) {
        guard let stall = c.stall else { return }
        reactor.cancel(stall)
        c.stall = nil
    }

    private func stalled(_ c: Connection) {
        guard !c.closed else { return }
        if c.written < c.output.count {
            logger.warning("control: client pid \(c.peer.pid) took none of its reply for \(timeout); closing")
            return close(c)
        }
        logger.warning(
            "control: client pid \(c.peer.pid) sent \(c.decoder.pendingByteCount) bytes of a request and no more within \(timeout); replied timeout, closing"
        )
        c.closing = true
        queueReply(c, ControlReply.timeout)
        pump(c)
    }

    /// An empty answer is a success without data: `ok`, as 0.9.4 sends.
    private func queueReply(_ c: Connection, _ text: String) {
        c.output.append(contentsOf: ControlFraming.frame(text.isEmpty ? ControlReply.ok : text))
    }

    private func setInterest(_ c: Connection, _ interest: Interest) {
        guard let token = c.token, interest != c.interest else { return }
        do {
            try reactor.setInterest(token, interest)
            c.interest = interest
        } catch {
            logger.warning("control: client pid \(c.peer.pid): \(error); closing")
            close(c)
        }
    }

    private func close(_ c: Connection) {
        guard !c.closed else { return }
        c.closed = true
        if let deadline = c.deadline { reactor.cancel(deadline) }
        disarmStall(c)
        if let token = c.token { reactor.deregister(token) }
        connections[c.fd.rawValue] = nil
        c.fd.close()
    }
}

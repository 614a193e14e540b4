import MultipathCore

/// What prio ana learnt of a path's namespace.
enum ANAAnswer {
    /// The state byte of its ANA group.
    case state(UInt8)
    /// Identify Controller says the controller reports no ANA (CMIC bit 3 clear).
    case notReported
    /// A command failed (the controller is not live, the link is cut, an answer is cut short...).
    case failed(String)
}

extension PathProber {
    /// 0.9.4's prio ana on the io_uring edge, one command after the other: Identify Controller (ANA
    /// reported? group ids constant? the log's length), Identify Namespace when the ids are constant
    /// (its ANAGRPID), then the ANA log page, searched for the namespace. Each command has the checker
    /// timeout (0.9.4's ioctl waits for the admin queue's 60 s); a failure leaves the priority undefined.
    func ana(_ path: MultipathPath, _ context: PathContext, _ done: @escaping (ANAAnswer) -> Void) {
        guard let nsid = context.nvmeNamespaceID else { return done(.failed("couldn't get NSID")) }
        admin(.identifyController, path) { [self] data in
            guard let controller = data.flatMap(NVMeControllerANA.init(identifyController:)) else {
                return done(.failed("couldn't get ctrl info"))
            }
            guard controller.reportsANA else { return done(.notReported) }
            guard controller.groupIDIsConstant else { return log(controller, nsid: nsid, groupID: 0, path, done) }
            admin(.identifyNamespace(nsid), path) { [self] data in
                guard let group = data.flatMap(nvmeNamespaceANAGroupID) else { return done(.failed("couldn't get namespace info")) }
                log(controller, nsid: nsid, groupID: group, path, done)
            }
        }
    }

    private func log(
        _ controller: NVMeControllerANA, nsid: UInt32, groupID: UInt32, _ path: MultipathPath, _ done: @escaping (ANAAnswer) -> Void
    ) {
        let command = NVMeAdminCommand.anaLog(length: controller.anaLogLength, groupsOnly: controller.groupIDIsConstant)
        admin(command, path) { data in
            guard let log = data.flatMap(ANALog.init) else { return done(.failed("couldn't get ana log")) }
            switch log.state(nsid: nsid, groupID: groupID) {
            case .success(let state): done(.state(state))
            case .failure(let e): done(.failed("\(e)"))
            }
        }
    }

    /// The command's data; nil when it failed (said at debug level, as 0.9.4's log_nvme_errcode).
    private func admin(_ command: NVMeAdminCommand, _ path: MultipathPath, _ done: @escaping ([UInt8]?) -> Void) {
        io.nvmeAdmin(command, to: path.devT, timeout: path.settings.checkerTimeout) { [self] outcome in
            guard case .completed(let data) = outcome else {
                debug("\(path.name): \(command.name): \(outcome)")
                return done(nil)
            }
            done(data)
        }
    }
}

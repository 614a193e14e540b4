import MultipathCore

/// Where uevents come from: libudev's monitor in the daemon, a scripted fake in tests.
public protocol UeventSource: AnyObject {
    /// Readable while events are queued.
    var fileDescriptor: FileDescriptor { get }
    /// The next queued event, nil when none is.
    func receive() throws(SystemError) -> Uevent?
}

/// Where device-mapper events come from: /dev/mapper/control in the daemon, a fake in tests.
public protocol DMEventSource: AnyObject {
    /// Readable from the first DM event after `armPoll()` until the next `armPoll()`.
    var fileDescriptor: FileDescriptor { get }
    func armPoll() throws(SystemError)
    func listDevices() throws(SystemError) -> [DMDevice]
}

extension UdevMonitor: UeventSource {}
extension DMControl: DMEventSource {}

/// One designation descriptor of VPD page 0x83 (SPC-4 7.8.6).
public struct Designator: Hashable, Sendable {
    public enum Association: UInt8, Sendable {
        case logicalUnit = 0, targetPort = 1, targetDevice = 2, reserved = 3
    }

    /// Protocol identifier (byte 0 bits 7-4), meaningful when `piv` is set.
    public var protocolID: UInt8
    /// 1 binary, 2 ASCII, 3 UTF-8.
    public var codeSet: UInt8
    public var piv: Bool
    public var association: Association
    /// 1 T10 vendor id, 2 EUI-64, 3 NAA, 4 relative target port, 5 target port group, 6 LU group, 7 MD5, 8 SCSI name string.
    public var type: UInt8
    public var identifier: [UInt8]
}

/// VPD page 0x83, device identification.
public struct DeviceIdentification: Hashable, Sendable {
    public var designators: [Designator]

    /// Parses the designators; one whose length runs past the page ends the list (what came before is kept).
    public init?(_ b: [UInt8]) {
        guard b.count >= 4, b[1] == 0x83 else { return nil }
        let end = min(b.count, 4 + (Int(b[2]) << 8 | Int(b[3])))
        var d = 4
        designators = []
        while d + 4 <= end {
            let len = Int(b[d + 3])
            guard d + 4 + len <= end else { break }
            designators.append(
                Designator(
                    protocolID: b[d] >> 4, codeSet: b[d] & 0x0f, piv: b[d + 1] & 0x80 != 0,
                    association: Designator.Association(rawValue: (b[d + 1] >> 4) & 0x3)!,
                    type: b[d + 1] & 0x0f, identifier: Array(b[(d + 4)..<(d + 4 + len)])))
            d += 4 + len
        }
    }

    /// The LUN's id as the kernel prints it in `/sys/block/sdX/device/wwid` (`scsi_vpd_lun_id`, Linux >= 5.11):
    /// the best logical-unit designator by priority, a later one of equal priority winning (for T10 vendor ids only
    /// if not shorter), formatted `naa.<hex>`, `eui.<hex>`, `t10.<text>` or the SCSI name string as is.
    public var kernelWWID: String? {
        var best: (prio: Int, text: String, size: Int)?
        for d in designators where d.association == .logicalUnit && !d.identifier.isEmpty {
            let prio = kernelPriority(d)
            guard prio > 0, prio >= best?.prio ?? 0 else { continue }
            switch d.type {
            case 1:
                if let b = best, b.prio == prio, b.size > d.identifier.count { continue }
                best = (prio, "t10." + kernelEscaped(d.identifier), d.identifier.count)
            case 2 where [8, 12, 16].contains(d.identifier.count):
                best = (prio, "eui." + hex(d.identifier), d.identifier.count)
            case 3 where [8, 16].contains(d.identifier.count):
                best = (prio, "naa." + hex(d.identifier), d.identifier.count)
            case 8:
                let text = d.identifier.prefix(while: { $0 != 0 })
                best = (prio, String(decoding: text, as: UTF8.self), d.identifier.count)
            default:
                continue
            }
        }
        return best?.text
    }

    /// The WWID as multipath-tools 0.9.4 derives it from page 0x83 when udev gives none (`parse_vpd_pg83`),
    /// which matches udev's `ID_SERIAL`: a type digit then the id — `3<hex>` NAA, `2<hex>` EUI-64,
    /// `1<vendor id, blank runs as "_">` T10, `8<name>` SCSI name (`2`/`3` when the name is `eui.`/`naa.`, lowercased).
    /// Priorities: NAA registered extended 8, registered 7, extended 6, EUI-64 4, SCSI name 3, T10 2, NAA local 1;
    /// the first designator of the highest priority wins; malformed ones are skipped.
    public var multipathWWID: String? {
        var best: (prio: Int, d: Designator)?
        for d in designators where d.association == .logicalUnit {
            guard let prio = multipathPriority(d), prio > best?.prio ?? 0 else { continue }
            best = (prio, d)
        }
        guard let d = best?.d else { return nil }
        switch d.type {
        case 2, 3:
            return "\(d.type)" + hex(d.identifier)
        case 8:
            let name = d.identifier.dropFirst(4).prefix(while: { $0 != 0 })
            let prefix = String(decoding: d.identifier.prefix(4), as: UTF8.self)
            let text = String(decoding: name, as: UTF8.self)
            switch prefix {
            case "eui.": return "2" + text.lowercased()
            case "naa.": return "3" + text.lowercased()
            default: return "8" + text
            }
        default:  // 1, T10 vendor id: each run of blanks becomes one "_" unless it ends the id
            var out: [UInt8] = [UInt8(ascii: "1")]
            var pendingBlank = false
            for b in d.identifier {
                if b == 0x20 {
                    pendingBlank = true
                    continue
                }
                if pendingBlank {
                    out.append(UInt8(ascii: "_"))
                    pendingBlank = false
                }
                out.append(b)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The relative target port identifier of the port this page came through (designator type 4, target port).
    public var relativeTargetPort: UInt16? { portValue(type: 4) }
    /// The target port group of that port (designator type 5): what to look up in REPORT TARGET PORT GROUPS.
    public var targetPortGroup: UInt16? { portValue(type: 5) }

    private func portValue(type: UInt8) -> UInt16? {
        guard let d = designators.first(where: { $0.type == type && $0.association == .targetPort }), d.identifier.count >= 4 else {
            return nil
        }
        return UInt16(d.identifier[2]) << 8 | UInt16(d.identifier[3])
    }
}

/// `designator_prio()` in drivers/scsi/scsi_lib.c.
private func kernelPriority(_ d: Designator) -> Int {
    switch d.type {
    case 8: return 9
    case 3:
        switch d.identifier[0] >> 4 {
        case 6: return 8
        case 5: return 5
        case 4: return 4  // the kernel's table says 4 for "NAA extended"; SPC calls NAA 2 extended and 4 reserved
        case 3: return 1
        default: return 0
        }
    case 2:
        switch d.identifier.count {
        case 16: return 7
        case 12: return 6
        case 8: return 3
        default: return 0
        }
    case 1: return 1
    default: return 0
    }
}

private func multipathPriority(_ d: Designator) -> Int? {
    let n = d.identifier.count
    switch d.type {
    case 3:
        guard n > 0 else { return nil }
        switch d.identifier[0] >> 4 {
        case 6: return n == 16 ? 8 : nil
        case 5: return n == 8 ? 7 : nil
        case 2: return n == 8 ? 6 : nil
        case 3: return n == 8 ? 1 : nil
        default: return nil
        }
    case 2: return [8, 12, 16].contains(n) ? 4 : nil
    case 8:
        guard n >= 4 else { return nil }
        return ["eui.", "naa.", "iqn."].contains(String(decoding: d.identifier.prefix(4), as: UTF8.self)) ? 3 : nil
    case 1: return n >= 8 ? 2 : nil
    default: return nil
    }
}

/// The kernel's `%pE`: printable ASCII as is, C escapes for \t \n \v \f \r \a \e and NUL, octal for the rest.
private func kernelEscaped(_ bytes: [UInt8]) -> String {
    var s = ""
    for b in bytes {
        switch b {
        case 0x20..<0x7f: s.unicodeScalars.append(Unicode.Scalar(b))
        case 0x09: s += "\\t"
        case 0x0a: s += "\\n"
        case 0x0b: s += "\\v"
        case 0x0c: s += "\\f"
        case 0x0d: s += "\\r"
        case 0x07: s += "\\a"
        case 0x1b: s += "\\e"
        case 0x00: s += "\\0"
        default: s += "\\" + String(b >> 6) + String((b >> 3) & 7) + String(b & 7)
        }
    }
    return s
}

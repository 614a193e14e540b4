import Testing

@testable import MultipathCore

@Suite struct MapUdevFlagsTests {
    /// 0.9.4's `build_udev_flags`: a create never has the reload flag; a reload has it unless udev must
    /// rescan (new size, the operator's reload); no usable path, and `skip_kpartx yes`, each add theirs.
    @Test(
        arguments: [
            (false, false, 2, false, MapUdevFlags()),
            (false, false, 0, false, [.noPaths]),
            (false, false, 1, true, [.noKpartx]),
            (true, false, 2, false, [.reload]),
            (true, true, 2, false, []),
            (true, false, 0, true, [.reload, .noPaths, .noKpartx]),
            (true, true, 0, false, [.noPaths])
        ] as [(Bool, Bool, Int, Bool, MapUdevFlags)])
    func forLoad(reload: Bool, rescan: Bool, usable: Int, skipKpartx: Bool, expected: MapUdevFlags) {
        #expect(MapUdevFlags.forLoad(reload: reload, rescan: rescan, usablePaths: usable, skipKpartx: skipKpartx) == expected)
    }

    @Test func describesItsFlags() {
        #expect(MapUdevFlags([.noPaths, .reload]).description == "[reload,no-paths]")
        #expect(MapUdevFlags().description == "[]")
    }
}

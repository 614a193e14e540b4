import MultipathCore
import Testing

@Suite struct PersistentReservationTests {
    @Test func readKeysAsksForWhat094AsksFor() {
        let c = PersistentReservation.readKeys
        #expect(c.cdb == [0x5E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00])
        #expect(c.transferLength == 8192 && c.outgoing.isEmpty)
    }

    @Test func registerAndIgnoreCarriesTheKeyAsServiceActionKey() {
        let c = PersistentReservation.registerAndIgnoreExistingKey(PRKey(value: 0x0102_0304_0506_0708))
        #expect(c.cdb == [0x5F, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00])
        #expect(c.transferLength == 0)
        #expect(
            c.outgoing == [
                0, 0, 0, 0, 0, 0, 0, 0,  // reservation key: ignored by this service action
                1, 2, 3, 4, 5, 6, 7, 8,  // service action reservation key
                0, 0, 0, 0,  // obsolete
                0x00, 0, 0, 0  // SPEC_I_PT, ALL_TG_PT, APTPL clear
            ])
    }

    @Test func aptplSetsTheAPTPLBit() {
        let c = PersistentReservation.registerAndIgnoreExistingKey(PRKey(value: 0x123abc, aptpl: true))
        #expect(c.outgoing[20] == 0x01 && Array(c.outgoing[8..<16]) == [0, 0, 0, 0, 0, 0x12, 0x3a, 0xbc])
    }

    @Test(
        arguments: [
            ([0, 0, 0, 7, 0, 0, 0, 0], [UInt64]()),
            ([0, 0, 0, 7, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0x12, 0x3a, 0xbc, 0xff, 0, 0, 0, 0, 0, 0, 1], [0x123abc, 0xff00_0000_0000_0001]),
            // Cut short by the transfer: whole keys only.
            ([0, 0, 0, 7, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2], [9]),
            // Padding after the list is not a key.
            ([0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 5], [9])
        ] as [([UInt8], [UInt64])])
    func readKeysAnswersListTheirKeys(_ data: [UInt8], _ keys: [UInt64]) {
        #expect(PersistentReservation.keys(inReadKeys: data) == keys)
    }

    @Test func aShortHeaderIsNoAnswer() {
        #expect(PersistentReservation.keys(inReadKeys: [0, 0, 0, 1, 0, 0]) == nil)
    }

    static func checkCondition(_ key: UInt8, _ asc: UInt8, _ ascq: UInt8) -> CommandOutcome {
        .completed(SCSIResult(status: 0x02, sense: [0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq]))
    }

    @Test func outcomesAs094TranslatesThem() {
        typealias P = PersistentReservation
        #expect(P.step(.completed(.good), retriesLeft: 5) == .done(.good))
        #expect(P.step(Self.checkCondition(0x06, 0x29, 0), retriesLeft: 1) == .sendAgain)
        #expect(P.step(Self.checkCondition(0x06, 0x29, 0), retriesLeft: 0) == .failed("sense 06/29/00"))
        #expect(P.step(Self.checkCondition(0x02, 0x04, 0x07), retriesLeft: 3) == .sendAgain)
        #expect(P.step(Self.checkCondition(0x02, 0x04, 0x0b), retriesLeft: 3) == .failed("sense 02/04/0b"))
        #expect(P.step(Self.checkCondition(0x05, 0x20, 0), retriesLeft: 3) == .failed("sense 05/20/00"))
        if case .done = P.step(Self.checkCondition(0x01, 0, 0), retriesLeft: 3) {} else { Issue.record("RECOVERED ERROR is a success") }
        #expect(P.step(.completed(SCSIResult(status: 0x18)), retriesLeft: 3) == .failed("RESERVATION CONFLICT"))
        #expect(P.step(.completed(SCSIResult(hostStatus: 0x01)), retriesLeft: 3) == .failed("DID_NO_CONNECT, driver status 0x00"))
        #expect(P.step(.timedOut, retriesLeft: 3) == .failed("timed out"))
        #expect(P.step(.deviceGone("gone"), retriesLeft: 3) == .failed("gone"))
    }

    @Test func aKeyIsFoundWhenRegisteredEvenIfTheRegisterFailed() {
        #expect(ReservationRegistration.registered.keyFound && ReservationRegistration.registerFailed("x").keyFound)
        #expect(!ReservationRegistration.keyNotFound.keyFound && !ReservationRegistration.noKeysRegistered.keyFound)
        #expect(!ReservationRegistration.readKeysFailed("x").keyFound && !ReservationRegistration.noKey.keyFound)
    }
}

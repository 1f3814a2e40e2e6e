import Testing

@testable import ExecutionCore

private let mib: UInt64 = 1 << 20

/// A sampler's reading at clock `t`: figures in MiB.
private func memory(
  _ current: UInt64, peak: UInt64?, limit: UInt64? = 1024, source: MemoryReading.Source = .cgroupV1,
  at t: Int64
) -> CoreInput {
  .memory(
    MemoryReading(
      source: source, current: current * mib, peak: peak.map { $0 * mib },
      limit: limit.map { $0 * mib }),
    at: ClockReading(milliseconds: t))
}

@Suite("BridgeCore: kernel memory")
struct MemoryCoreTests {
  struct PeakCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// Readings before the run (at t < 1000), during it (1000…5000) and after its last cell.
    var before: [CoreInput] = []
    var during: [CoreInput] = []
    var expected: RunMemory?
    var testDescription: String { name }
  }

  static let peaks: [PeakCase] = [
    PeakCase(name: "no readings: no figure", expected: nil),
    PeakCase(
      name: "the high-water mark rose during the run: it is the run's",
      before: [memory(100, peak: 200, at: 500)],
      during: [memory(300, peak: 350, at: 2_000), memory(120, peak: 350, at: 4_000)],
      expected: RunMemory(peak: 350 * mib, limit: 1024 * mib, scope: .run)),
    PeakCase(
      name: "the mark stayed (an earlier run set it): the most sampled during the run",
      before: [memory(100, peak: 900, at: 500)],
      during: [memory(300, peak: 900, at: 2_000), memory(120, peak: 900, at: 4_000)],
      expected: RunMemory(peak: 300 * mib, limit: 1024 * mib, scope: .run)),
    PeakCase(
      name: "a quiet kernel sends nothing new: the reading in force at the start",
      before: [memory(100, peak: 900, at: 500)],
      expected: RunMemory(peak: 100 * mib, limit: 1024 * mib, scope: .run)),
    PeakCase(
      name: "no limit (process tree): the figure without one",
      before: [memory(50, peak: 60, limit: nil, source: .processTree, at: 500)],
      during: [memory(80, peak: 90, limit: nil, source: .processTree, at: 2_000)],
      expected: RunMemory(peak: 90 * mib, limit: nil, scope: .run)),
    PeakCase(
      name: "the first reading comes during the run",
      during: [memory(70, peak: 400, at: 2_000)],
      expected: RunMemory(peak: 70 * mib, limit: 1024 * mib, scope: .run)),
  ]

  @Test(arguments: peaks)
  func runPeak(_ c: PeakCase) {
    var h = Harness()
    h.send(c.before)
    h.send(Msg.busy("r1", at: 1_000), Msg.input("r1", "work()", n: 1, at: 1_000))
    h.send(c.during)
    h.send(Msg.idle("r1", at: 5_000))
    h.settle()
    #expect(h.notifications.count == 1)
    #expect(h.notifications.first?.memory == c.expected)
  }

  @Test func anOutOfMemoryDeathCarriesTheRunsPeak() {
    var h = Harness()
    h.send(memory(40, peak: 40, limit: 256, at: 0))
    h.send(Msg.busy("r1", at: 1_000), Msg.input("r1", "big()", n: 2, at: 1_000))
    h.send(memory(256, peak: 256, limit: 256, at: 3_000))
    h.send(
      .kernelDied(.outOfMemory(limit: 256 * mib, peak: 256 * mib), at: .init(milliseconds: 3_100)))
    #expect(
      h.notifications.map(\.memory) == [RunMemory(peak: 256 * mib, limit: 256 * mib, scope: .run)])
  }

  @Test func aDeathWhileIdleCarriesTheLifetimeMark() {
    var h = Harness()
    h.send(Msg.cell("r1", "x = 1", n: 1, from: 0, to: 10))
    h.settle(at: 5_000)
    h.send(memory(100, peak: 700, at: 6_000))
    h.send(.kernelDied(.signaled(9), at: .init(milliseconds: 7_000)))
    #expect(
      h.notifications.last?.memory
        == RunMemory(peak: 700 * mib, limit: 1024 * mib, scope: .kernelLifetime))
  }

  struct WarningCase: Sendable, CustomTestStringConvertible {
    var name: String
    var settings = NotificationPolicy(notifyOn: .stop, memoryWarning: 0.5)
    var code = "work()"
    var readings: [CoreInput]
    /// The figures of the warnings sent, in MiB.
    var expected: [UInt64]
    var testDescription: String { name }
  }

  static let warnings: [WarningCase] = [
    WarningCase(
      name: "once per run, at the first reading at or over the line",
      readings: [
        memory(100, peak: 100, at: 2_000), memory(512, peak: 512, at: 3_000),
        memory(600, peak: 600, at: 4_000),
      ],
      expected: [512]),
    WarningCase(
      name: "off by default",
      settings: NotificationPolicy(notifyOn: .stop),
      readings: [memory(1000, peak: 1000, at: 2_000)], expected: []),
    WarningCase(
      name: "no limit, no warning",
      readings: [memory(1000, peak: 1000, limit: nil, at: 2_000)], expected: []),
    WarningCase(
      name: "a spike between samples shows in the risen mark",
      readings: [memory(100, peak: 100, at: 500), memory(110, peak: 700, at: 2_000)],
      expected: [700]),
    WarningCase(
      name: "a cell directive turns it on",
      settings: NotificationPolicy(notifyOn: .stop), code: "# lmk: memory=0.9\nwork()",
      readings: [memory(900, peak: 900, at: 2_000), memory(930, peak: 930, at: 3_000)],
      expected: [930]),
    WarningCase(
      name: "sent whatever notifyOn says",
      settings: NotificationPolicy(notifyOn: .none, memoryWarning: 0.25),
      readings: [memory(300, peak: 300, at: 2_000)], expected: [300]),
    WarningCase(
      name: "already over the line when the run starts: at its start",
      readings: [memory(800, peak: 800, at: 500)], expected: [800]),
  ]

  @Test(arguments: warnings)
  func warning(_ c: WarningCase) {
    var h = Harness(c.settings)
    h.send(c.readings.filter { $0.time.milliseconds < 1_000 })
    h.send(Msg.busy("r1", at: 1_000), Msg.input("r1", c.code, n: 3, at: 1_000))
    h.send(c.readings.filter { $0.time.milliseconds >= 1_000 })
    let warnings = h.notifications.compactMap { n -> NotificationIntent? in
      if case .memoryWarning = n.outcome { n } else { nil }
    }
    #expect(
      warnings.map(\.outcome)
        == c.expected.map { .memoryWarning(MemoryWarning(figure: $0 * mib, limit: 1024 * mib)) })
    for warning in warnings {
      #expect(warning.cell?.executionCount == 3)
      #expect(warning.cell?.state == .running)
      #expect(warning.finishedAt == nil && warning.memory == nil)
    }
  }

  @Test func eachRunWarnsAgainAndAnIdleKernelNever() {
    var h = Harness(NotificationPolicy(notifyOn: .stop, memoryWarning: 0.5))
    h.send(memory(900, peak: 900, at: 0))
    #expect(h.notifications.isEmpty)
    h.send(Msg.cell("r1", "a()", n: 1, from: 1_000, to: 2_000))
    h.settle(at: 10_000)
    h.send(memory(950, peak: 950, at: 11_000))
    h.send(Msg.cell("r2", "b()", n: 2, from: 12_000, to: 13_000))
    h.settle(at: 20_000)
    let outcomes = h.notifications.map(\.outcome)
    #expect(outcomes.count == 4)
    #expect(outcomes.filter { $0 == .finished }.count == 2)
    #expect(
      outcomes.filter { if case .memoryWarning = $0 { true } else { false } }.count == 2)
  }
}

@Suite("BridgeCore: memory in the transcript")
struct MemoryRecordTests {
  @Test func theFirstReadingAndNotableChangesOnly() {
    var h = Harness()
    // Limit 1024 MiB: a move of 64 MiB (a sixteenth) is notable.
    h.send(
      memory(100, peak: 100, at: 0), memory(120, peak: 120, at: 1), memory(170, peak: 170, at: 2),
      memory(100, peak: 170, at: 3), memory(100, peak: 170, limit: 2048, at: 4))
    let recorded = h.story.compactMap { event -> UInt64? in
      if case .memoryChanged(let reading) = event { reading.current.map { $0 / mib } } else { nil }
    }
    #expect(recorded == [100, 170, 100, 100])
  }
}

@Suite("Kernel memory in words")
struct MemoryWordsTests {
  @Test(arguments: [
    (
      RunMemory(peak: 6_550_000_000, limit: 8 << 30, scope: .run), "Peak memory: 6.1 GiB of 8.0 GiB"
    ),
    (RunMemory(peak: 1_288_490_189, limit: nil, scope: .run), "Peak memory: 1.2 GiB"),
    (
      RunMemory(peak: 200 << 20, limit: 256 << 20, scope: .kernelLifetime),
      "Peak memory (kernel lifetime): 200 MiB of 256 MiB"
    ),
  ])
  func runMemory(_ memory: RunMemory, words: String) {
    #expect(memory.description == words)
  }

  @Test(arguments: [
    (MemoryWarning(figure: 231 << 20, limit: 256 << 20), "memory at 231 MiB of 256 MiB (90 %)"),
    (MemoryWarning(figure: .max, limit: 1), "memory at 16.0 EiB of 1 B (1000000 %)"),
    (MemoryWarning(figure: 5, limit: 0), "memory at 5 B of 0 B (0 %)"),
  ])
  func warning(_ warning: MemoryWarning, words: String) {
    #expect(warning.description == words)
  }
}

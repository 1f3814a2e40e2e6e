import Testing

@testable import ExecutionCore

@Suite("Notification rendering: kernel memory")
struct NotificationRendererMemoryTests {
  static let start = KernelTime(year: 2025, month: 1, day: 23, hour: 21, minute: 23, second: 15)
  static let context = NotificationContext(notebookName: "x.ipynb", language: "python")

  @Test func aRunsNotificationEndsWithItsPeak() {
    let intent = NotificationIntent(
      outcome: .finished, cell: CellReport(executionCount: 3, code: "fit()", state: .success),
      cellCount: 1, startedAt: Self.start, finishedAt: nil, durationMilliseconds: 2_000,
      notifyChannel: nil, memory: RunMemory(peak: 6_550_000_000, limit: 8 << 30, scope: .run))
    #expect(
      NotificationRenderer.markdown(for: intent, context: Self.context) == """
        Notebook **x.ipynb** **finished** after execution **\\[3\\]**.

        ```python
        fit()
        ```

        Started: 2025-01-23 21:23:15 UTC

        Duration: 2 seconds

        Peak memory: 6.1 GiB of 8.0 GiB
        """)
  }

  @Test func aDeathWithTheLifetimeMark() {
    let intent = NotificationIntent(
      outcome: .kernelDied(
        description: "KernelDied: killed by signal 9 (SIGKILL; the cause is unknown)"),
      cell: nil, cellCount: 0, startedAt: nil, finishedAt: nil, durationMilliseconds: nil,
      notifyChannel: nil, memory: RunMemory(peak: 1_288_490_189, limit: nil, scope: .kernelLifetime)
    )
    let message = NotificationRenderer.markdown(for: intent, context: Self.context)
    #expect(message.hasPrefix("Notebook **x.ipynb**: **kernel died** while idle."))
    #expect(message.hasSuffix("\n\nPeak memory (kernel lifetime): 1.2 GiB"))
  }

  @Test func aWarningNamesTheFigureTheLimitAndTheCell() {
    let intent = NotificationIntent(
      outcome: .memoryWarning(MemoryWarning(figure: 231 << 20, limit: 256 << 20)),
      cell: CellReport(executionCount: 3, code: "grow()", state: .running), cellCount: 2,
      startedAt: Self.start, finishedAt: nil, durationMilliseconds: nil, notifyChannel: nil)
    #expect(
      NotificationRenderer.markdown(for: intent, context: Self.context) == """
        Notebook **x.ipynb**: memory at 231 MiB of 256 MiB (90 %) during execution **\\[3\\]**.

        ```python
        grow()
        ```

        Started: 2025-01-23 21:23:15 UTC
        """)
  }
}

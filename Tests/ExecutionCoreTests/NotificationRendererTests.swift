import Testing

@testable import ExecutionCore

@Suite("Notification rendering")
struct NotificationRendererTests {
  static let start = KernelTime(year: 2025, month: 1, day: 23, hour: 21, minute: 23, second: 15)

  @Test func finishedRunWithLink() {
    let intent = NotificationIntent(
      outcome: .finished,
      cell: CellReport(executionCount: 3, code: "x = 6 * 7\nprint(x)", state: .success),
      cellCount: 1, startedAt: Self.start,
      finishedAt: KernelTime(millisecondsSince1970: Self.start.millisecondsSince1970 + 125_400),
      durationMilliseconds: 125_400, notifyChannel: nil)
    let context = NotificationContext(
      notebookName: "train.ipynb", url: "http://localhost:8888/lab/tree/train.ipynb",
      language: "python")
    #expect(
      NotificationRenderer.markdown(for: intent, context: context) == """
        Notebook [**train.ipynb**](http://localhost:8888/lab/tree/train.ipynb) **finished** after execution **\\[3\\]**.

        ```python
        x = 6 * 7
        print(x)
        ```

        Started: 2025-01-23 21:23:15 UTC

        Ended: 2025-01-23 21:25:20 UTC

        Duration: 2 minutes 5 seconds
        """)
  }

  @Test func failedRunWithTraceback() {
    let error = KernelError(
      ename: "ZeroDivisionError", evalue: "division by zero",
      traceback: [
        "\u{1B}[31m----\u{1B}[0m", "Cell In[2], line 1\n----> 1 1 / 0\n",
        "\u{1B}[31mZeroDivisionError\u{1B}[39m: division by zero",
      ])
    let intent = NotificationIntent(
      outcome: .failed,
      cell: CellReport(executionCount: 2, code: "1 / 0", state: .error, error: error),
      cellCount: 3, startedAt: Self.start, finishedAt: nil, durationMilliseconds: 800,
      notifyChannel: "ch-sms")
    let context = NotificationContext(notebookName: "my_nb.ipynb", language: "Python")
    #expect(
      NotificationRenderer.markdown(for: intent, context: context) == """
        Notebook **my\\_nb.ipynb** **failed** during execution **\\[2\\]** (a run of 3 cells).

        ```python
        1 / 0
        ```

        Error:
        ```
        ----
        Cell In[2], line 1
        ----> 1 1 / 0
        ZeroDivisionError: division by zero
        ```

        Started: 2025-01-23 21:23:15 UTC

        Duration: 0.8 seconds
        """)
  }

  @Test func kernelDiedWhileIdle() {
    let died = "KernelDied: killed by signal 9 (SIGKILL — often the out-of-memory killer)"
    let intent = NotificationIntent(
      outcome: .kernelDied(description: died), cell: nil, cellCount: 0, startedAt: nil,
      finishedAt: Self.start, durationMilliseconds: nil, notifyChannel: nil)
    #expect(
      NotificationRenderer.markdown(
        for: intent, context: NotificationContext(notebookName: "analysis.ipynb")) == """
          Notebook **analysis.ipynb**: **kernel died** while idle.

          Error:
          ```
          \(died)
          ```

          Ended: 2025-01-23 21:23:15 UTC
          """)
  }

  @Test func cancelledHasNoErrorBlock() {
    let intent = NotificationIntent(
      outcome: .cancelled,
      cell: CellReport(
        executionCount: 9, code: "sleep(60)", state: .cancelled,
        error: KernelError(ename: "KeyboardInterrupt", evalue: "", traceback: [])),
      cellCount: 1, startedAt: nil, finishedAt: nil, durationMilliseconds: 61_000,
      notifyChannel: nil)
    let text = NotificationRenderer.markdown(
      for: intent, context: NotificationContext(notebookName: "nb.ipynb", language: "julia"))
    #expect(
      text.hasPrefix(
        "Notebook **nb.ipynb** **was cancelled** during execution **\\[9\\]**.\n\n```julia\n"))
    #expect(!text.contains("Error:"))
    #expect(text.hasSuffix("Duration: 1 minute 1 second"))
  }

  /// With the notebook unknown the run or the kernel is the subject (docs/BEHAVIOUR.md, "Settings").
  @Test func unknownNotebookSpeaksOfTheKernel() {
    let context = NotificationContext(notebookName: nil, kernelName: "python3_lmk")
    func headline(_ outcome: RunOutcome, cells: Int, count: Int? = 3) -> String {
      let intent = NotificationIntent(
        outcome: outcome,
        cell: count.map { CellReport(executionCount: $0, code: "x", state: .success) },
        cellCount: cells, startedAt: nil, finishedAt: nil, durationMilliseconds: nil,
        notifyChannel: nil)
      let text = NotificationRenderer.markdown(for: intent, context: context)
      return String(text.prefix { $0 != "\n" })
    }
    #expect(
      headline(.finished, cells: 1)
        == "A run on the **python3\\_lmk** kernel **finished** after execution **\\[3\\]**.")
    #expect(
      headline(.failed, cells: 4)
        == "A run of 4 cells on the **python3\\_lmk** kernel **failed** during execution **\\[3\\]**."
    )
    #expect(
      headline(.cancelled, cells: 1)
        == "A run on the **python3\\_lmk** kernel **was cancelled** during execution **\\[3\\]**.")
    #expect(
      headline(.kernelDied(description: "KernelDied: exit status 1"), cells: 2)
        == "The **python3\\_lmk** kernel **died** during execution **\\[3\\]**.")
    #expect(
      headline(.kernelDied(description: "KernelDied: exit status 1"), cells: 0, count: nil)
        == "The **python3\\_lmk** kernel **died** while idle.")
    #expect(
      headline(.memoryWarning(MemoryWarning(figure: 231 << 20, limit: 256 << 20)), cells: 2)
        == "The **python3\\_lmk** kernel: memory at 231 MiB of 256 MiB (90 %) during execution **\\[3\\]**."
    )
  }

  @Test func fenceIsLongerThanAnyBacktickRun() {
    let code = "s = '```'\nt = '````'"
    let intent = NotificationIntent(
      outcome: .finished, cell: CellReport(executionCount: 1, code: code, state: .success),
      cellCount: 1, startedAt: nil, finishedAt: nil, durationMilliseconds: nil, notifyChannel: nil)
    let text = NotificationRenderer.markdown(
      for: intent, context: NotificationContext(notebookName: "n"))
    #expect(text.contains("\n\n`````\n\(code)\n`````"))
  }

  @Test func messageIsBoundedWhateverTheInput() {
    let huge = String(repeating: "`_*)( ", count: 20_000)
    let error = KernelError(
      ename: huge, evalue: huge, traceback: Array(repeating: huge, count: 50))
    let intent = NotificationIntent(
      outcome: .failed,
      cell: CellReport(executionCount: 123_456, code: huge, state: .error, error: error),
      cellCount: 99_999, startedAt: Self.start, finishedAt: Self.start,
      durationMilliseconds: 9_999_999_999, notifyChannel: nil)
    let context = NotificationContext(
      notebookName: huge, url: "https://x/" + String(repeating: ")", count: 100), language: huge)
    let text = NotificationRenderer.markdown(for: intent, context: context)
    #expect(text.count <= NotificationRenderer.maximumCharacters)
    #expect(text.contains("**\\[123456\\]**"))
    #expect(text.hasSuffix("Duration: 115 days 17 hours"))
    let died = NotificationIntent(
      outcome: .kernelDied(description: huge), cell: intent.cell, cellCount: 1, startedAt: nil,
      finishedAt: nil, durationMilliseconds: nil, notifyChannel: nil)
    #expect(
      NotificationRenderer.markdown(for: died, context: context).count
        <= NotificationRenderer.maximumCharacters)
  }

  @Test(
    arguments: [
      (0, "0 seconds"), (400, "0.4 seconds"), (1_000, "1 second"), (9_960, "10 seconds"),
      (12_345, "12 seconds"), (60_000, "1 minute"), (125_000, "2 minutes 5 seconds"),
      (3_600_000, "1 hour"), (3_780_000, "1 hour 3 minutes"), (90_061_000, "1 day 1 hour"),
    ] as [(Int64, String)])
  func durationInWords(ms: Int64, expected: String) {
    #expect(NotificationRenderer.words(forDuration: ms) == expected)
  }
}

/// Runs `operation` in its own task and waits for it until `deadline`.
///
/// Returns nil when the deadline passed first; the operation is then cancelled
/// but not awaited, so an operation that ignores cancellation cannot hold up
/// the caller (the launcher must exit on time whatever the monitor does).
func withDeadline<T: Sendable>(
  _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
) async -> Result<T, any Error>? {
  let outcome = Latch<Result<T, any Error>>()
  let task = Task {
    do {
      outcome.set(.success(try await operation()))
    } catch {
      outcome.set(.failure(error))
    }
  }
  let result = await outcome.wait(until: deadline)
  if result == nil { task.cancel() }
  return result
}

/// A runtime failure a command explains in one line (`Error: …` on stderr, exit 1).
struct CommandFailure: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) {
    self.description = description
  }
}

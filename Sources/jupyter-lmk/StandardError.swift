import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines for the person at the terminal that are not the command's output
/// (notes, warnings, login prompts); errors are thrown instead.
enum StandardError {
  static func line(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

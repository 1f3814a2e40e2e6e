import Foundation

#if LIBFUZZER
  import CFuzzerDriver
#endif

/// The entry point every harness shares. Built by `tools/fuzz.sh` (with
/// `-sanitize=fuzzer` and `-DLIBFUZZER`) it hands the command line to
/// libFuzzer; in the plain build it replays the files and folders it is given,
/// so a crashing input can be rerun under the debugger or a normal build.
public enum FuzzEntry {
  /// One input: libFuzzer's `LLVMFuzzerTestOneInput` signature.
  typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

  /// The harness `run` was given; set once, before the first input.
  nonisolated(unsafe) private static var harness: ([UInt8]) -> Void = { _ in }

  /// Runs `harness` on every input, then exits.
  public static func run(_ harness: @escaping ([UInt8]) -> Void) -> Never {
    Self.harness = harness
    let callback: Callback = { data, size in
      FuzzEntry.harness(FuzzInput.bytes(data, size))
      return 0
    }
    #if LIBFUZZER
      var argc = CommandLine.argc
      var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
      exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    #else
      exit(replay(Array(CommandLine.arguments.dropFirst()), callback))
    #endif
  }

  /// Runs every file named (folders: every file in them); returns the exit status.
  static func replay(_ paths: [String], _ callback: Callback) -> Int32 {
    guard !paths.isEmpty else {
      FileHandle.standardError.write(
        Data("usage: \(CommandLine.arguments.first ?? "fuzz") FILE_OR_FOLDER…\n".utf8))
      return 2
    }
    var count = 0
    for path in paths.flatMap(files(at:)) {
      guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        return 1
      }
      _ = [UInt8](data).withUnsafeBufferPointer { callback($0.baseAddress, $0.count) }
      count += 1
    }
    print("replayed \(count) input(s)")
    return 0
  }

  private static func files(at path: String) -> [String] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue
    else { return [path] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.sorted().map { (path as NSString).appendingPathComponent($0) }
  }
}

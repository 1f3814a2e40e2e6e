import Foundation

// lmk-bench: in-process timings of the bridge's hot paths for tools/bench.sh.
// Usage: lmk-bench pipeline --connection-file FILE --count N [--idle-timeout-ms MS]
// Prints one JSON object on stdout. The HMAC key stays in the connection file.

let usage = "usage: lmk-bench pipeline --connection-file FILE --count N [--idle-timeout-ms MS]"
let arguments = Array(CommandLine.arguments.dropFirst())
do {
  guard arguments.first == "pipeline" else { throw BenchError(usage) }
  let options = try PipelineOptions(parsing: Array(arguments.dropFirst()))
  print(try PipelineBenchmark.run(options).json)
} catch {
  FileHandle.standardError.write(Data("lmk-bench: \(error)\n".utf8))
  exit(2)
}

import Foundation

/// Which running bridge a command means (`jupyter-lmk notify`): pure, over the
/// live bridges' states.
public enum BridgeSelection: Sendable, Equatable {
  /// No flag: the one bridge running.
  case onlyOne
  /// `--existing` alone: the most recently started bridge.
  case newest
  /// `--existing ID`: a kernel id, or a prefix of exactly one.
  case kernel(String)
  /// `--notebook PATH` (absolute), or a bare file name (`analysis.ipynb`).
  case notebook(String)

  /// Why no single bridge was chosen.
  public enum Failure: Error, Equatable, CustomStringConvertible {
    case noBridge
    case noMatch(String)
    /// Several fit: the user must say which (a usage error).
    case ambiguous(String, [BridgeState])

    public var description: String {
      switch self {
      case .noBridge: "no running bridge has local control (no kernel is monitored here)"
      case .noMatch(let what): "no running bridge \(what)"
      case .ambiguous(let what, _): "\(what); name one with --existing ID or --notebook PATH"
      }
    }
  }

  public func choose(from bridges: [BridgeState]) -> Result<BridgeState, Failure> {
    guard !bridges.isEmpty else { return .failure(.noBridge) }
    let candidates: [BridgeState]
    let what: String
    switch self {
    case .onlyOne:
      candidates = bridges
      what = "\(bridges.count) bridges are running"
    case .newest:
      let newest = bridges.max {
        ($0.startedAtMilliseconds, $0.kernelId) < ($1.startedAtMilliseconds, $1.kernelId)
      }
      candidates = newest.map { [$0] } ?? []
      what = ""
    case .kernel(let id):
      let exact = bridges.filter { $0.kernelId == id }
      candidates = exact.isEmpty ? bridges.filter { $0.kernelId.hasPrefix(id) } : exact
      what =
        candidates.isEmpty ? "for kernel \(id)" : "\(candidates.count) kernels start with \(id)"
    case .notebook(let path):
      if path.contains("/") {
        let wanted = (path as NSString).standardizingPath
        candidates = bridges.filter {
          $0.notebook.map { ($0 as NSString).standardizingPath } == wanted
        }
      } else {
        candidates = bridges.filter {
          $0.notebook.map { ($0 as NSString).lastPathComponent } == path || $0.name == path
        }
      }
      what =
        candidates.isEmpty
        ? "for the notebook \(path)" : "\(candidates.count) bridges follow \(path)"
    }
    switch candidates.count {
    case 1: return .success(candidates[0])
    case 0: return .failure(.noMatch(what))
    default: return .failure(.ambiguous(what, candidates.sorted { $0.kernelId < $1.kernelId }))
    }
  }
}

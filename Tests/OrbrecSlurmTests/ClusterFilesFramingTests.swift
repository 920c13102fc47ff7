@testable import OrbrecSlurm
import Testing

/// How the answers of the cluster-side scripts are read: what a login's startup files print
/// first is skipped by the marker line, and each file is cut at the size given before it.
struct ClusterFilesFramingTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aBannerBeforeTheMarkerIsSkipped() {
        let answer = Self.bytes("Welcome to cluster-b!\nmodule: gcc/12 loaded\n\(ClusterFiles.marker)\n/home/hpc\nnone\n")
        #expect(ClusterFiles.afterMarker(answer) == Self.bytes("/home/hpc\nnone\n"))
        // The marker inside a line, or missing altogether, is no marker.
        #expect(ClusterFiles.afterMarker(Self.bytes("say \(ClusterFiles.marker)\nx\n")).isEmpty)
        #expect(ClusterFiles.afterMarker(Self.bytes("/home/hpc\n")).isEmpty)
    }

    @Test func framesAreCutBySizeWhateverTheyHold() {
        // Two files (one with newlines, NUL and a line that looks like a size), one missing.
        let first: [UInt8] = Self.bytes("{\"a\":1}\n-1\n") + [0, 255]
        let answer = Self.bytes("\(first.count)\n") + first + Self.bytes("-1\n3\nxyz")
        let frames = ClusterFiles.frames(answer, count: 3)
        #expect(frames == [first, nil, Self.bytes("xyz")])
        // An answer cut short leaves the rest missing, never misread.
        #expect(ClusterFiles.frames(Self.bytes("5\nab"), count: 2) == [nil, nil])
    }
}

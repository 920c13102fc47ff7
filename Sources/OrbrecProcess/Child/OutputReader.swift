internal import Dispatch
internal import Glibc

/// orbrec's end of a child's stdout or stderr pipe, read as data arrives (a dispatch source
/// on the child's queue, never a blocked thread) and kept up to a limit.
final class OutputReader {
    private let fd: Int32
    private let limit: Int
    private var source: (any DispatchSourceRead)?
    private(set) var output = CapturedOutput()

    init(fd: Int32, limit: Int, queue: DispatchQueue) {
        self.fd = fd
        self.limit = limit
        Pipes.setNonBlocking(fd)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if drain() { close() }
        }
        source.setCancelHandler { Glibc.close(fd) }
        self.source = source
        source.resume()
    }

    /// How many reads the last drain takes at most, once the child has ended: 64 of 64 KiB.
    static let finalReads = 64

    /// Reads what the pipe holds now, in at most `reads` reads; true at end of file (or an
    /// error: nothing more will come).
    func drain(atMost reads: Int = .max) -> Bool {
        guard source != nil else { return true }
        var chunk = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<reads {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let room = max(0, limit - output.bytes.count)
                output.bytes += chunk[0..<min(count, room)]
                if count > room { output.truncated = true }
            } else if count == 0 {
                return true
            } else if errno == EINTR {
                continue
            } else {
                return errno != EAGAIN
            }
        }
        return false
    }

    /// Stops reading; the descriptor is closed once dispatch lets go of it.
    func close() {
        source?.cancel()
        source = nil
    }
}

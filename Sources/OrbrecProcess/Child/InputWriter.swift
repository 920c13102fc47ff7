internal import Dispatch
internal import Glibc

/// orbrec's end of a child's stdin pipe: the bytes written as the child reads them, then the
/// pipe closed (end of file). A child that exits without reading gets EPIPE, not orbrec a
/// SIGPIPE: `ChildProcess` has SIGPIPE ignored before it makes the pipe.
final class InputWriter {
    private let fd: Int32
    private var remaining: ArraySlice<UInt8>
    private var source: (any DispatchSourceWrite)?

    init(fd: Int32, bytes: [UInt8], queue: DispatchQueue) {
        self.fd = fd
        remaining = bytes[...]
        Pipes.setNonBlocking(fd)
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if write() { close() }
        }
        source.setCancelHandler { Glibc.close(fd) }
        self.source = source
        source.resume()
    }

    /// Writes what the pipe takes now; true when done (all written, or the reader is gone).
    private func write() -> Bool {
        while !remaining.isEmpty {
            let count = remaining.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                remaining = remaining.dropFirst(count)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return count < 0 && errno != EAGAIN
            }
        }
        return true
    }

    func close() {
        source?.cancel()
        source = nil
    }
}

internal import NIOCore

/// Runs a task on the event loop of the connection it talks to. A transaction is a chain of
/// statements, each awaited before the next is sent; on the global executor every one of
/// them crosses threads twice or more (the write goes to the event loop, the answer comes
/// back), and those crossings cost more than the statement on a local server. Here the
/// task's jobs are the event loop's own, so a statement's answer resumes the task at once.
///
/// A body that runs here must not block: it would hold up every connection on this loop.
/// The state's bodies only await statements and build them in between.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

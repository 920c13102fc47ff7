internal import Glibc

/// Signal handlers as the supervisor and the runner install them: nothing else blocked while
/// one runs, and the signal unblocked (whoever started the process may have left it blocked).
public enum SignalHandlers {
    /// `flags` nil: SA_RESTART.
    public static func install(_ numbers: [Int32], flags: Int32? = nil, _ handler: @escaping @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = flags ?? SA_RESTART
        sigemptyset(&action.sa_mask)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in numbers {
            sigaction(number, &action, nil)
            sigaddset(&unblock, number)
        }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }
}

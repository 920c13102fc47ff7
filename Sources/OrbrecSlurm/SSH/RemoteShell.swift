/// The one place an argv becomes a shell line. ssh has no argv of its own on the far side: it
/// joins its arguments with spaces and the remote account's login shell (a POSIX shell: sh,
/// bash, dash, zsh, ksh) reads the result. Every element is therefore quoted so that the shell
/// gives it back byte for byte, whatever it holds.
public enum RemoteShell {
    /// Characters every POSIX shell (and zsh) takes literally outside quotes, in any position:
    /// a word of only these is left bare so that logs stay readable. Not `=` (`A=b cmd` sets a
    /// variable), not `~` (a home directory), nothing a shell globs, expands or splits on.
    static let bare: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+./:,@%".utf8))

    /// `word` as one word of a POSIX shell line: bare when it is not empty and holds only
    /// `bare` characters, else in single quotes (inside which a shell takes every byte
    /// literally, newlines too) with each `'` written as `'\''`. Nil for a word holding NUL,
    /// which no argv can carry.
    public static func quote(_ word: String) -> String? {
        let bytes = Array(word.utf8)
        if bytes.contains(0) { return nil }
        if !bytes.isEmpty && bytes.allSatisfy({ bare.contains($0) }) { return word }
        var quoted = "'"
        for scalar in word.unicodeScalars {
            if scalar == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "'"
    }

    /// `argv` as one shell line that runs exactly that argv; nil when an element holds NUL.
    public static func line(_ argv: [String]) -> String? {
        var words: [String] = []
        for element in argv {
            guard let word = quote(element) else { return nil }
            words.append(word)
        }
        return words.joined(separator: " ")
    }
}

/// The accounts a user may charge, from `sacctmgr --noheader --parsable2 show associations
/// where user=NAME format=account`. Without an accounting database (slurmdbd), sacctmgr
/// fails and Slurm enforces no account: nothing can be checked, and nothing needs to be.
public enum SlurmAccountListing {
    public static func argv(user: String) -> [String] {
        ["sacctmgr", "--noheader", "--parsable2", "show", "associations", "where", "user=\(user)", "format=account"]
    }

    /// One account per line; blank lines and duplicates dropped, order kept.
    public static func parse(_ text: String) -> [String] {
        var seen: Set<String> = []
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let account = String(line.split(separator: "|").first ?? "").trimmingSpaces
            guard !account.isEmpty, seen.insert(account).inserted else { return nil }
            return account
        }
    }

    /// sacctmgr's refusal when there is no accounting database to ask.
    public static func meansNoAccounting(_ stderr: String) -> Bool {
        stderr.contains("accounting_storage") || stderr.contains("slurmdbd") || stderr.contains("Connection refused")
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

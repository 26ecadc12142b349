namespace Coinage.Domain.Privacy;

/// <summary>
/// One table that holds data about a user, and how to select that user's rows. SQL fragments are
/// constants written here (never user input); they use the parameters <c>@user</c> (uuid, the
/// Identity id) and <c>@owner</c> (bigint, the ledger's owner id, -1 when the user never traded).
/// </summary>
/// <param name="Table">The table, as in the EF model.</param>
/// <param name="Filter">The WHERE clause selecting the user's rows (alias <c>t</c>).</param>
/// <param name="Projection">The jsonb of one row: <c>to_jsonb(t)</c> minus the columns that are secrets or the archive itself.</param>
/// <param name="CsvName">Also written as <c>csv/{CsvName}.csv</c> (orders, trades, ledger).</param>
/// <param name="OrderBy">Stable order of the rows in the archive.</param>
public sealed record PersonalTable(string Table, string Filter, string Projection = "to_jsonb(t)", string? CsvName = null, string OrderBy = "1");

/// <summary>
/// Every table with data about a person: the export writes each of them, and a test fails when a table
/// with a user or owner column is missing here. Secrets that grant access (password hash, security
/// stamp, token and code hashes, the TOTP secret) are left out: they describe no one, and a copy of them
/// in a downloaded file could only help an attacker.
/// </summary>
public static class PersonalDataMap
{
    public static readonly IReadOnlyList<PersonalTable> Tables =
    [
        new("users", "t.id = @user",
            "to_jsonb(t) - 'password_hash' - 'security_stamp' - 'concurrency_stamp' - 'totp_secret_protected' - 'totp_last_time_step'"),
        new("user_roles", "t.user_id = @user"),
        new("user_claims", "t.user_id = @user"),
        new("user_logins", "t.user_id = @user"),
        new("user_tokens", "t.user_id = @user", "to_jsonb(t) - 'value'"),
        new("consent_records", "t.user_id = @user", OrderBy: "t.recorded_at, t.id"),
        new("refresh_sessions", "t.user_id = @user", OrderBy: "t.created_at, t.id"),
        new("refresh_tokens", "t.session_id IN (SELECT s.id FROM refresh_sessions s WHERE s.user_id = @user)", "to_jsonb(t) - 'token_hash'", OrderBy: "t.created_at"),
        new("recovery_codes", "t.user_id = @user", "to_jsonb(t) - 'code_hash'", OrderBy: "t.created_at, t.id"),
        // Public keys only: a passkey's private key never leaves the user's device.
        new("passkeys", "t.user_id = @user", OrderBy: "t.created_at, t.id"),
        // The user's API keys, without their (encrypted) secrets.
        new("api_keys", "t.user_id = @user", "to_jsonb(t) - 'protected_secret'", OrderBy: "t.created_at, t.id"),
        // The devices the person signed in from; the fingerprint is a hash of the device cookie: kept back like the other secrets.
        new("known_devices", "t.user_id = @user", "to_jsonb(t) - 'fingerprint'", OrderBy: "t.first_seen_at, t.id"),
        new("audit_entries", "t.actor_user_id = @user OR t.subject_user_id = @user", "to_jsonb(t) - 'ip_salt'", OrderBy: "t.sequence"),
        // Emails sent to the person; an unsent one's one-time token is a secret.
        new("outbox_messages", "t.payload->>'userId' = @user::text", "to_jsonb(t) #- '{payload,data,token}'", OrderBy: "t.created_at, t.id"),
        new("traders", "t.user_id = @user"),
        new("balances", "t.owner_id = @owner", OrderBy: "t.asset, t.kind"),
        new("journal_entries", "t.id IN (SELECT p.journal_entry_id FROM ledger_postings p WHERE p.owner_id = @owner)", OrderBy: "t.id"),
        new("ledger_postings", "t.owner_id = @owner", CsvName: "ledger", OrderBy: "t.id"),
        new("orders", "t.owner_id = @owner", CsvName: "orders", OrderBy: "t.id"),
        new("trades", "t.taker_owner_id = @owner OR t.maker_owner_id = @owner", CsvName: "trades", OrderBy: "t.id"),
        new("market_commands", "t.owner_id = @owner", OrderBy: "t.sequence"),
        // The dead man's switches the user armed (docs/exchange.md).
        new("cancel_all_after", "t.owner_id = @owner", OrderBy: "t.market_id"),
        new("deposits", "t.owner_id = @owner", OrderBy: "t.id"),
        new("withdrawals", "t.owner_id = @owner", "to_jsonb(t) - 'confirmation_token_hash'", OrderBy: "t.id"),
        new("withdrawal_addresses", "t.owner_id = @owner", OrderBy: "t.id"),
        new("privacy_exports", "t.user_id = @user", "to_jsonb(t) - 'archive' - 'nonce_hash'", OrderBy: "t.requested_at"),
        new("erasure_requests", "t.user_id = @user", OrderBy: "t.requested_at"),
        // The search indexer's record that the user's documents were pseudonymised (after an erasure).
        new("search_erasures", "t.user_id = @user"),
    ];

    /// <summary>Column names that make a table personal data when present (the coverage test's rule).</summary>
    public static readonly IReadOnlySet<string> OwnerColumns = new HashSet<string>(StringComparer.Ordinal)
    {
        "user_id", "owner_id", "actor_user_id", "subject_user_id", "taker_owner_id", "maker_owner_id",
    };
}

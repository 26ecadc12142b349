using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Reconciliation;

public enum ReconciliationStatus : byte
{
    /// <summary>Every check ran and found nothing.</summary>
    Succeeded = 1,

    /// <summary>Every check ran and at least one found a discrepancy.</summary>
    Failed = 2,

    /// <summary>The checks could not run (database unreachable, timeout): says nothing about the ledger.</summary>
    Error = 3,
}

public static class ReconciliationStatusNames
{
    /// <summary>The name of a status in the Admin API and in the metrics' <c>status</c> label.</summary>
    public static string Name(this ReconciliationStatus status) => status switch
    {
        ReconciliationStatus.Succeeded => "succeeded",
        ReconciliationStatus.Failed => "failed",
        _ => "error",
    };
}

/// <summary>
/// One run of the Worker's reconciliation job (table <c>reconciliation_runs</c>): when, what it
/// looked at and what it found. Written in its own transaction after the read-only snapshot the
/// checks ran in, so a run is recorded even when the ledger is wrong.
/// </summary>
public sealed class ReconciliationRun
{
    public long Id { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public ReconciliationStatus Status { get; set; }

    /// <summary>The Worker replica that ran it (<c>service.instance.id</c>).</summary>
    public string Instance { get; set; } = "";

    /// <summary>All discrepancies found, including those beyond what <see cref="Discrepancies"/> keeps.</summary>
    public int DiscrepancyCount { get; set; }

    /// <summary>JSON (jsonb) object: rows looked at per table (<c>accounts</c>, <c>postings</c>, <c>orders</c>, <c>trades</c>, <c>commands</c>, …).</summary>
    public string Counts { get; set; } = "{}";

    /// <summary>JSON (jsonb) array of <c>{ check, kind, subject, expected, actual }</c>, at most the first few hundred.</summary>
    public string Discrepancies { get; set; } = "[]";

    /// <summary>Why the run could not complete (status Error): the exception type and message.</summary>
    public string? Error { get; set; }
}

internal sealed class ReconciliationRunConfiguration : IEntityTypeConfiguration<ReconciliationRun>
{
    public void Configure(EntityTypeBuilder<ReconciliationRun> builder)
    {
        builder.ToTable("reconciliation_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Instance).HasMaxLength(128);
        builder.Property(r => r.Counts).HasColumnType("jsonb");
        builder.Property(r => r.Discrepancies).HasColumnType("jsonb");
        builder.Property(r => r.Error).HasMaxLength(2000);
        // The metrics monitor reads the newest successful run.
        builder.HasIndex(r => new { r.Status, r.Id });
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Search;

/// <summary>
/// How far the indexer has read an append-only source (the audit log by sequence). Advanced only
/// after Elasticsearch acknowledged the documents, so a crash re-sends a batch (same ids: no duplicates)
/// and never skips one.
/// </summary>
public sealed class SearchCheckpoint
{
    /// <summary>e.g. <c>audit</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The last position indexed (an audit sequence).</summary>
    public long Position { get; set; }

    /// <summary>The physical index the position belongs to: a reindex into a new index restarts from its own position.</summary>
    public string? Index { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A user erased under the privacy process (outbox <c>privacy.user_erased</c>): their search documents
/// were deleted or pseudonymised, and every later indexing or reindex, and the PostgreSQL fallback,
/// shows the <see cref="Pseudonym"/> instead of their id, and neither their IP addresses nor the
/// audit details of their entries.
/// </summary>
public sealed class SearchErasure
{
    public Guid UserId { get; set; }

    public string Pseudonym { get; set; } = "";

    public DateTimeOffset ErasedAt { get; set; }

    /// <summary>When the Elasticsearch documents were cleaned; null while Elasticsearch is absent (a reindex applies it).</summary>
    public DateTimeOffset? IndexCleanedAt { get; set; }
}

internal sealed class SearchCheckpointConfiguration : IEntityTypeConfiguration<SearchCheckpoint>
{
    public void Configure(EntityTypeBuilder<SearchCheckpoint> builder)
    {
        builder.ToTable("search_checkpoints");
        builder.HasKey(c => c.Name);
        builder.Property(c => c.Name).HasMaxLength(32);
        builder.Property(c => c.Index).HasMaxLength(128);
    }
}

internal sealed class SearchErasureConfiguration : IEntityTypeConfiguration<SearchErasure>
{
    public void Configure(EntityTypeBuilder<SearchErasure> builder)
    {
        builder.ToTable("search_erasures");
        builder.HasKey(e => e.UserId);
        builder.Property(e => e.Pseudonym).HasMaxLength(64).IsRequired();
    }
}

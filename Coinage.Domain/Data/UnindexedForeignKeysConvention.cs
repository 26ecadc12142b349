using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Coinage.Domain.Data;

/// <summary>
/// Marks an entity whose foreign keys get no index of their own: EF Core's convention would create one per
/// key, and each costs every insert an index write, on tables written far more often than they are read by
/// those keys.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UnindexedForeignKeysAttribute : Attribute;

/// <summary>EF Core's foreign-key index convention, except for entities marked <see cref="UnindexedForeignKeysAttribute"/>.</summary>
internal sealed class UnindexedForeignKeysConvention(ProviderConventionSetBuilderDependencies dependencies) : ForeignKeyIndexConvention(dependencies)
{
    protected override IConventionIndex? CreateIndex(IReadOnlyList<IConventionProperty> properties, bool unique, IConventionEntityTypeBuilder entityTypeBuilder) =>
        Attribute.IsDefined(entityTypeBuilder.Metadata.ClrType, typeof(UnindexedForeignKeysAttribute))
            ? null
            : base.CreateIndex(properties, unique, entityTypeBuilder);
}

using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.Domain.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Coinage.ApiService.Tests.Privacy;

public sealed class PersonalDataCoverageTests
{
    /// <summary>
    /// The export and the erasure work from <see cref="PersonalDataMap"/>: a table added to the model
    /// with a user or owner column (or a key to users) and not added there would silently escape both.
    /// </summary>
    [Fact]
    public void Every_table_of_the_model_with_a_user_or_owner_column_is_in_the_personal_data_map()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=model.invalid");
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        using var db = new CoinageDbContext(options.Options);
        var users = db.Model.FindEntityType(typeof(CoinageUser))!;
        var covered = PersonalDataMap.Tables.Select(t => t.Table).ToHashSet(StringComparer.Ordinal);
        var modelTables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().ToHashSet(StringComparer.Ordinal);

        var personal = db.Model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null)
            .Where(e => e == users
                || e.GetProperties().Any(p => PersonalDataMap.OwnerColumns.Contains(p.GetColumnName(StoreObjectIdentifier.Table(e.GetTableName()!, e.GetSchema()))!))
                || e.GetForeignKeys().Any(fk => fk.PrincipalEntityType == users))
            .Select(e => e.GetTableName()!)
            .Distinct()
            .ToList();

        Assert.Contains("orders", personal); // the rule itself finds what it should
        Assert.Contains("refresh_sessions", personal);
        var missing = personal.Where(t => !covered.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"Tables holding a user's data but missing from PersonalDataMap (export + erasure): {string.Join(", ", missing)}");
        var unknown = covered.Where(t => !modelTables.Contains(t)).ToList();
        Assert.True(unknown.Count == 0, $"PersonalDataMap names tables the model does not have: {string.Join(", ", unknown)}");
    }
}

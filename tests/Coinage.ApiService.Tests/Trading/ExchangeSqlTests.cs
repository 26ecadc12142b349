using System.Text.Json;
using Coinage.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// The hot paths write and read orders with hand-written SQL (<see cref="ExchangeSql"/>) while the rest of the
/// code base reads them through EF Core: both must see the same row, field by field.
/// </summary>
public sealed class ExchangeSqlTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task An_order_written_by_the_group_commit_reads_back_the_same_through_EF_Core_and_ExchangeSql()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "exsql");
        await trader.DepositAsync("USD", "1000");
        var placed = await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "2", quantity = "10", clientOrderId = "exsql-1", postOnly = true });
        var id = long.Parse(placed.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        await using var db = ExchangeDatabase.Open(Db, out var dataSource);
        await using (dataSource)
        {
            var viaEf = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == id, Ct);
            await using var connection = await dataSource.OpenConnectionAsync(Ct);
            await using var command = new NpgsqlCommand($"SELECT {ExchangeSql.OrderColumns} FROM orders WHERE id = $1", connection) { Parameters = { new() { Value = id } } };
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var viaSql = Assert.Single(await ExchangeSql.ReadOrdersAsync(reader, Ct));

            Assert.Equal(JsonSerializer.Serialize(viaEf), JsonSerializer.Serialize(viaSql));
            Assert.Equal("exsql-1", viaSql.ClientOrderId);
            Assert.True(viaSql.PostOnly);
            Assert.True(viaSql.OriginalHold > 20m, $"hold {viaSql.OriginalHold}"); // 2 × 10 plus the fee, held in USD
            Assert.Equal("USD", viaSql.HoldAsset);
            // The answer was built in memory before the commit: it must be what a later read returns, to the microsecond.
            Assert.Equal(viaSql.CreatedAt, placed.GetProperty("createdAt").GetDateTimeOffset());
            var read = await trader.GetAsync($"/api/v1/orders/{id}");
            Assert.Equal(viaSql.CreatedAt, read.GetProperty("createdAt").GetDateTimeOffset());
        }
    }
}

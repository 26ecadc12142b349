using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <summary>
    /// Drops the foreign keys of the order path (orders → markets and traders, market_commands → markets,
    /// trades → journal_entries), removed from the model too. Each was a referential check per row (a query and
    /// a KEY SHARE row lock, on the same market row for every order): measured, the two checks of an order
    /// doubled the cost of inserting it (500 rows: 4.2 ms with its four indexes, 9.7 ms with the keys), and the
    /// platform carried 17 % more orders without them when the API side was its limit (docs/performance.md). The rows are written only by
    /// the group commit and the matching hosts, which take the market under lock and the owner from a signed-in
    /// user; markets, traders and journal entries are never deleted; reconciliation reports an order or command
    /// whose market or trader is missing (commands/orphan_row) and a trade without its entry (trades/trade_entry).
    /// </summary>
    public partial class OrderPathWithoutForeignKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_market_commands_markets_market_id",
                table: "market_commands");

            migrationBuilder.DropForeignKey(
                name: "fk_orders_markets_market_id",
                table: "orders");

            migrationBuilder.DropForeignKey(
                name: "fk_orders_traders_owner_id",
                table: "orders");

            migrationBuilder.DropForeignKey(
                name: "fk_trades_journal_entries_journal_entry_id",
                table: "trades");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKey(
                name: "fk_market_commands_markets_market_id",
                table: "market_commands",
                column: "market_id",
                principalTable: "markets",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_orders_markets_market_id",
                table: "orders",
                column: "market_id",
                principalTable: "markets",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_orders_traders_owner_id",
                table: "orders",
                column: "owner_id",
                principalTable: "traders",
                principalColumn: "owner_id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_trades_journal_entries_journal_entry_id",
                table: "trades",
                column: "journal_entry_id",
                principalTable: "journal_entries",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}

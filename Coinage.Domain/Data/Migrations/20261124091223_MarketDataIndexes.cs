using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class MarketDataIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_trades_market_id_created_at",
                table: "trades",
                columns: new[] { "market_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_market_commands_market_id_processed_sequence",
                table: "market_commands",
                columns: new[] { "market_id", "sequence" },
                descending: new[] { false, true },
                filter: "processed_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_trades_market_id_created_at",
                table: "trades");

            migrationBuilder.DropIndex(
                name: "ix_market_commands_market_id_processed_sequence",
                table: "market_commands");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    /// <summary>
    /// Why an order ended (the engine's cancel reason, or why it was rejected), written by settlement with the
    /// status in the same UPDATE, so it costs no round trip. Orders that ended before this migration keep 0
    /// (none recorded): their reason was never stored.
    /// </summary>
    public partial class OrdersCloseReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte>(
                name: "close_reason",
                table: "orders",
                type: "smallint",
                nullable: false,
                defaultValue: (byte)0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "close_reason",
                table: "orders");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class CancelAllAfter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cancel_all_after",
                columns: table => new
                {
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    market_id = table.Column<int>(type: "integer", nullable: false),
                    deadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cancel_all_after", x => new { x.owner_id, x.market_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_cancel_all_after_deadline",
                table: "cancel_all_after",
                column: "deadline");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cancel_all_after");
        }
    }
}

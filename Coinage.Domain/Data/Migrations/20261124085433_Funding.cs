using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class Funding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "reason",
                table: "deposits",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "withdrawals",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    address = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    confirmation_token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    confirmation_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    hold_entry_id = table.Column<long>(type: "bigint", nullable: true),
                    final_entry_id = table.Column<long>(type: "bigint", nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_withdrawals", x => x.id);
                    table.ForeignKey(
                        name: "fk_withdrawals_assets_asset",
                        column: x => x.asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_withdrawals_traders_owner_id",
                        column: x => x.owner_id,
                        principalTable: "traders",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deposits_owner_id_id",
                table: "deposits",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deposits_pending",
                table: "deposits",
                column: "id",
                filter: "status = 0");

            migrationBuilder.CreateIndex(
                name: "ix_withdrawals_asset",
                table: "withdrawals",
                column: "asset");

            migrationBuilder.CreateIndex(
                name: "ix_withdrawals_confirmation_token_hash",
                table: "withdrawals",
                column: "confirmation_token_hash",
                unique: true,
                filter: "confirmation_token_hash IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_withdrawals_owner_id_id",
                table: "withdrawals",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_withdrawals_owner_id_idempotency_key",
                table: "withdrawals",
                columns: new[] { "owner_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_withdrawals_status_id",
                table: "withdrawals",
                columns: new[] { "status", "id" },
                filter: "status IN (0, 1, 2)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "withdrawals");

            migrationBuilder.DropIndex(
                name: "ix_deposits_owner_id_id",
                table: "deposits");

            migrationBuilder.DropIndex(
                name: "ix_deposits_pending",
                table: "deposits");

            migrationBuilder.DropColumn(
                name: "reason",
                table: "deposits");
        }
    }
}

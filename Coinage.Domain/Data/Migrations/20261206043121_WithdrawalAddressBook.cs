using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class WithdrawalAddressBook : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "withdrawal_address_id",
                table: "withdrawals",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "withdrawal_addresses",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    label = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    usable_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_withdrawal_addresses", x => x.id);
                    table.ForeignKey(
                        name: "fk_withdrawal_addresses_assets_asset",
                        column: x => x.asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_withdrawal_addresses_traders_owner_id",
                        column: x => x.owner_id,
                        principalTable: "traders",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_withdrawal_addresses_asset",
                table: "withdrawal_addresses",
                column: "asset");

            migrationBuilder.CreateIndex(
                name: "ix_withdrawal_addresses_owner_id_asset_address",
                table: "withdrawal_addresses",
                columns: new[] { "owner_id", "asset", "address" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "withdrawal_addresses");

            migrationBuilder.DropColumn(
                name: "withdrawal_address_id",
                table: "withdrawals");
        }
    }
}

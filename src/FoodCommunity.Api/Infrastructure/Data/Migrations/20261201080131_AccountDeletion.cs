using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FoodCommunity.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccountDeletion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleted_at",
                table: "users",
                type: "datetime(6)",
                precision: 6,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "account_erasures",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "binary(16)", nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "datetime(6)", precision: 6, nullable: false),
                    step = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: false, collation: "utf8mb4_unicode_ci")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    lease_until = table.Column<DateTimeOffset>(type: "datetime(6)", precision: 6, nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "datetime(6)", precision: 6, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_account_erasures", x => x.user_id);
                })
                .Annotation("MySql:CharSet", "utf8mb4")
                .Annotation("Relational:Collation", "utf8mb4_unicode_ci");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "account_erasures");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "users");
        }
    }
}

TEXT = {
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download XLSX"),
    "download.first_rows": (
        "显示前 {shown:,} 行，共 {total:,} 行；下载的文件包含全部。",
        "Showing the first {shown:,} of {total:,} rows; the downloads hold them all.",
    ),
    "startup.failed": (
        "数据仓库未能就绪：{error}。"
        "请运维人员查看日志，或运行 `cockpit init` 查看详情；修复后刷新本页。",
        "The warehouse could not be prepared: {error}. Ask your operator to check the log or"
        " run `cockpit init` for details, then reload this page.",
    ),
}

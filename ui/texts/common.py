TEXT = {
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download XLSX"),
    "download.first_rows": (
        "显示前 {shown:,} 行，共 {total:,} 行；下载的文件包含全部。",
        "Showing the first {shown:,} of {total:,} rows; the downloads hold them all.",
    ),
}

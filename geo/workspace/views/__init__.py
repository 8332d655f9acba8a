"""The workspace's pages, one module per part: accounts, queue, observe, imports, imagery, publish, audit, files."""

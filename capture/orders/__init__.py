"""Seller back-office exports read into order and item rows (issue 14).

files    an export file (CSV in any encoding the back office or Excel writes,
         .xlsx or .xls) as numbered rows of text cells
columns  which header is which field, for the order report and the item report
cells    one cell's value: the export's text wrappers off, phones masked,
         numbers only when they are plain digits

capture.store.orders_import puts them together and stores the result.
"""

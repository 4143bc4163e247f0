"""Weekly reports for the Trust's leaders: how the desk did, with charts, as a page, HTML, PDF and CSV.

``period`` and ``figures`` are pure (no Django): a period of local days and the figures computed from
plain message facts. ``build`` reads the database into those facts; ``charts`` draws them with
matplotlib; ``pdf`` lays them out with reportlab; ``csvexport`` writes the underlying rows.
"""
